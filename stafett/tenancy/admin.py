"""The Django admin is for system operators: municipalities, services and who
works where. Children's data is deliberately not registered here."""

from django.contrib import admin

from .models import Membership, Municipality, MunicipalityRole, Service


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "require_two_factor"]
    search_fields = ["name", "number"]
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality"]
    list_filter = ["kind", "municipality"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    # Unticking "active" is how a person leaves a service: every right they had
    # there ends at once. Relays they held get a new holder appointed by the
    # service's leader (the follow-up rule "holder gone" tells the leader).
    list_display = ["user", "service", "role", "active", "municipality"]
    exclude = ["municipality"]
    list_filter = ["role", "active", "municipality"]
    autocomplete_fields = ["user", "service"]

    def save_model(self, request, obj, form, change):
        # The municipality always follows the service, so the scope stays true.
        obj.municipality_id = obj.service.municipality_id
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Memberships are deactivated, never deleted: the history must stay.
        return False


@admin.register(MunicipalityRole)
class MunicipalityRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "municipality"]
    list_filter = ["role", "municipality"]
    autocomplete_fields = ["user"]
