import base64
import hashlib
import hmac

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import ClientProfile, Person


def pairwise_sub(client_id: str, subject_key: str) -> str:
    """ID-porten's pairwise subject: the same person gets a different, stable
    `sub` at every client, and the number cannot be read back from it."""
    message = f"{client_id}\x00{subject_key}".encode()
    digest = hmac.new(settings.DEVIDP_SUB_SALT.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class IdPortenShapedValidator(OAuth2Validator):
    # Every claim goes into the ID token, whatever the scope (as ID-porten does
    # with pid, acr, amr and locale).
    oidc_claim_scope = None

    def get_claim_dict(self, request):
        person = Person.objects.get(user=request.user)
        client_id = request.client.client_id
        claims = {"sub": pairwise_sub(client_id, person.subject_key)}
        kind = ClientProfile.objects.filter(application=request.client).values_list("kind", flat=True).first()
        if kind == ClientProfile.Kind.STAFF:
            claims.update(email=person.email, preferred_username=person.email,
                          name=person.email.split("@")[0])
        else:
            claims.update(pid=person.pid, acr=person.acr, amr=["TestID"], locale=person.locale)
        return claims
