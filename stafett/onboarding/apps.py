from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "stafett.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"
