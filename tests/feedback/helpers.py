from django_scopes import scope

from stafett.feedback import actions
from stafett.feedback.models import Feedback


def send(world, user, *, text="Trinnet er uklart.", topic="guide", subject="", anonymous=False,
         municipality=None):
    municipality = municipality or world.fjordvik
    with scope(municipality=municipality):
        return actions.send(world.actor(user, municipality), municipality=municipality, topic=topic,
                            subject=subject, text=text, anonymous=anonymous)


def answer(world, feedback, status, text="", guide=None):
    with scope(municipality=world.fjordvik):
        feedback = Feedback.objects.get(pk=feedback.pk)
        return actions.change_status(world.actor(world.coordinator), feedback.pk, version=feedback.version,
                                     status=status, answer=text, guide_id=guide.pk if guide else None)
