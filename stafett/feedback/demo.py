"""Demo feedback for Fjordvik (called by seed_demo): named and anonymous
items in every status, one linked to the guide version that changed."""

from django.db import transaction
from django_scopes import scope

from stafett.accounts.models import User
from stafett.tenancy.actors import build_actor

from . import actions
from .models import Feedback
from .parts import current_published, guide_parts

Status = Feedback.Status


@transaction.atomic
def seed(municipality) -> list[str]:
    """Returns the tracking codes of the anonymous items (printed for the demo)."""
    with scope(municipality=municipality.pk):
        if Feedback.objects.filter(municipality=municipality).exists():
            return []
        users = {u.username: u for u in User.objects.filter(username__in=["kari", "olav", "hanne", "cora"])}
        cora = build_actor(users["cora"], municipality.pk)
        parts = guide_parts(municipality)
        first_step = parts.steps[0][0] if parts.steps else ""
        first_tool = parts.tools[0][0] if parts.tools else ""
        codes = []

        def send(username, topic, subject, text, anonymous=False):
            actor = build_actor(users[username], municipality.pk)
            sent = actions.send(actor, municipality=municipality, topic=topic, subject=subject,
                                text=text, anonymous=anonymous)
            if sent.code:
                codes.append(sent.code)
            return sent.feedback

        def answer(feedback, status, text, guide=None):
            feedback = actions.change_status(cora, feedback.pk, version=feedback.version, status=status,
                                             answer=text, guide_id=guide.pk if guide else None)
            return feedback

        step = send("kari", "step" if first_step else "guide", first_step,
                    "Det er uklart hvem som skal skrive ned undringen når to ansatte har sett det samme.")
        step = answer(step, Status.CONSIDERING, "Takk! Vi ser på teksten i trinnet.")
        answer(step, Status.CHANGED, "Trinnet sier nå at den som først så det, skriver.",
               current_published(municipality))
        send("olav", "cooperation", "",
             "Vi får sjelden vite når helsestasjonen har tatt over en stafettlogg.")
        tool = send("hanne", "tool" if first_tool else "other", first_tool,
                    "Samtaleguiden passer dårlig for foreldre med lite norsk.")
        answer(tool, Status.NOT_CHANGED,
               "Vi beholder guiden, men lager en oversatt versjon med kommunens tolketjeneste.")
        anonymous = send("kari", "system", "", "Det tar for mange klikk å finne skjemaene.", anonymous=True)
        answer(anonymous, Status.CONSIDERING, "Vi har meldt det videre til leverandøren.")
        send("olav", "guide", "", "Veilederen burde si mer om overgangen fra barnehage til skole.",
             anonymous=True)
    return codes
