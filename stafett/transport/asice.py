"""The container a Fiks IO message travels in: an ASiC-E (ETSI EN 319 162,
CAdES form) inside CMS enveloped data.

Built, the container is a zip holding

1. `mimetype`, first and stored (not compressed), whose content is
   `application/vnd.etsi.asic-e+zip`, so a reader knows the format from
   the first bytes;
2. the payload files, in the order given (the first is the root file);
3. `META-INF/asicmanifest.xml`, an ASiCManifest naming every payload file
   with its media type and SHA-256 digest, and the signature file;
4. `META-INF/signature.p7s`, a detached CMS signature (SHA-256 with RSA,
   the signer's certificate included) over the manifest's bytes, made with
   the sender's enterprise certificate.

Then the whole zip is encrypted for the receiver as CMS EnvelopedData:
AES-256-CBC for the content, its key encrypted to the receiver's
certificate with RSAES-OAEP (SHA-256, MGF1 with SHA-256), the recipient
named by issuer and serial number. These are the algorithms KS's own Fiks IO
clients use, so their receivers read what Stafett sends.

Reading does the reverse and refuses what does not add up: a mimetype
entry that is missing, not first, compressed or wrong; a payload file the
manifest does not list, or a listed one that is missing or whose digest
differs; a signature that does not verify over the manifest; unsafe names;
more than MAX_SIZE unpacked. A container without any signature is accepted
only when the caller allows it (`require_signature=False`): KS's clients
may leave receipts unsigned, and Fiks IO itself vouches for the sender's
account.
"""

from __future__ import annotations

import base64
import hashlib
import io
import mimetypes
import os
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from asn1crypto import algos as a_algos
from asn1crypto import cms as a_cms
from asn1crypto import core as a_core
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import pkcs7

MIMETYPE = "application/vnd.etsi.asic-e+zip"
MANIFEST = "META-INF/asicmanifest.xml"
SIGNATURE = "META-INF/signature.p7s"
SIGNATURE_MIMETYPE = "application/x-pkcs7-signature"
# The namespace of ETSI TS 102 918's schema; KS's .NET library writes it
# without the leading zero, so a reader accepts both.
ASIC_NS = "http://uri.etsi.org/02918/v1.2.1#"
ASIC_NAMESPACES = (ASIC_NS, "http://uri.etsi.org/2918/v1.2.1#")
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"
DIGESTS = {
    SHA256_URI: hashlib.sha256,
    "http://www.w3.org/2000/09/xmldsig#sha256": hashlib.sha256,  # difi's spelling
    "http://www.w3.org/2001/04/xmlenc#sha512": hashlib.sha512,
}
# A receipt is a few kilobytes; a report or arkivmelding with its PDF/A a few
# megabytes. Anything unpacking to more is refused (a zip bomb).
MAX_SIZE = 200 * 1024 * 1024

ET.register_namespace("asic", ASIC_NS)
ET.register_namespace("ds", DSIG_NS)


def _parse_xml(data: bytes):
    """Untrusted XML: the standard library resolves no external entities,
    and a document type (where entity tricks live) is refused outright."""
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise ContainerError("XML with a document type is refused")
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        raise ContainerError(f"not XML: {error}") from error


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


class ContainerError(ValueError):
    """The container is not one we can trust or read."""


@dataclass(frozen=True)
class Contents:
    files: tuple[tuple[str, bytes], ...]
    # The certificate that signed the manifest (None when unsigned and allowed).
    signer: x509.Certificate | None

    def file(self, name: str) -> bytes:
        for file_name, content in self.files:
            if file_name == name:
                return content
        raise KeyError(name)


# --- the ASiC-E zip ---------------------------------------------------------------


def _check_name(name: str) -> None:
    if (not name or name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/")
            or name.upper().startswith("META-INF/") or name == "mimetype" or "/" in name):
        raise ContainerError(f"not a plain payload file name: {name!r}")


def media_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0]
    return {"json": "application/json", "xml": "application/xml",
            "pdf": "application/pdf"}.get(name.rsplit(".", 1)[-1].lower(), guessed or
                                             "application/octet-stream")


def manifest(files, *, signature: str | None) -> bytes:
    root = ET.Element(f"{{{ASIC_NS}}}ASiCManifest")
    if signature:
        ET.SubElement(root, f"{{{ASIC_NS}}}SigReference", URI=signature,
                         MimeType=SIGNATURE_MIMETYPE)
    for index, (name, content) in enumerate(files):
        reference = ET.SubElement(root, f"{{{ASIC_NS}}}DataObjectReference", URI=name,
                                     MimeType=media_type(name))
        if index == 0:
            reference.set("Rootfile", "true")
        ET.SubElement(reference, f"{{{DSIG_NS}}}DigestMethod", Algorithm=SHA256_URI)
        ET.SubElement(reference, f"{{{DSIG_NS}}}DigestValue").text = \
            base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            + ET.tostring(root, encoding="utf-8", xml_declaration=False))


def build(files, *, key, certificate: x509.Certificate) -> bytes:
    """The signed ASiC-E zip of `files` ((name, bytes) pairs, root first)."""
    files = tuple(files)
    if not files:
        raise ContainerError("a container holds at least one file")
    names = [name for name, _ in files]
    for name in names:
        _check_name(name)
    if len(set(names)) != len(names):
        raise ContainerError("a file name occurs twice")
    manifest_bytes = manifest(files, signature=SIGNATURE)
    signature = sign_detached(manifest_bytes, key=key, certificate=certificate)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # First and stored: the format is told by its first bytes.
        archive.writestr(zipfile.ZipInfo("mimetype", date_time=(1980, 1, 1, 0, 0, 0)),
                         MIMETYPE.encode("ascii"), compress_type=zipfile.ZIP_STORED)
        for name, content in files:
            archive.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(MANIFEST, manifest_bytes, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(SIGNATURE, signature, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    if info.file_size > budget[0]:
        raise ContainerError("the container unpacks to more than we accept")
    with archive.open(info) as handle:
        data = handle.read(budget[0] + 1)
    if len(data) > budget[0]:
        raise ContainerError("the container unpacks to more than we accept")
    budget[0] -= len(data)
    return data


def read(data: bytes, *, require_signature: bool = True) -> Contents:
    """The payload files of an ASiC-E zip, after every check (see above)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ContainerError(f"not a zip: {error}") from error
    if not infos or infos[0].filename != "mimetype":
        raise ContainerError("the mimetype entry is not the first")
    if infos[0].compress_type != zipfile.ZIP_STORED:
        raise ContainerError("the mimetype entry is compressed")
    budget = [MAX_SIZE]
    try:
        if _read_entry(archive, infos[0], budget).strip() != MIMETYPE.encode("ascii"):
            raise ContainerError("the mimetype is not ASiC-E")
        entries: dict[str, bytes] = {}
        for info in infos[1:]:
            if info.is_dir():
                continue
            if info.filename in entries:
                raise ContainerError(f"{info.filename!r} occurs twice")
            entries[info.filename] = _read_entry(archive, info, budget)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ContainerError(f"a damaged zip: {error}") from error
    manifest_name = next((name for name in entries if name.upper().startswith("META-INF/")
                          and "ASICMANIFEST" in name.upper()), None)
    if manifest_name is None:
        raise ContainerError("no ASiCManifest")
    manifest_bytes = entries[manifest_name]
    root = _parse_xml(manifest_bytes)
    namespace, local = _split(root.tag)
    if local != "ASiCManifest" or namespace not in ASIC_NAMESPACES:
        raise ContainerError("the manifest is not an ASiCManifest")

    signer = None
    reference = root.find(f"{{{namespace}}}SigReference")
    if reference is not None:
        signature = entries.get(reference.get("URI", ""))
        if signature is None:
            raise ContainerError("the signature the manifest names is missing")
        signer = verify_detached(signature, manifest_bytes)
    elif require_signature:
        raise ContainerError("the container is not signed")

    listed: list[str] = []
    for item in root.findall(f"{{{namespace}}}DataObjectReference"):
        name = item.get("URI", "")
        method = item.find(f"{{{DSIG_NS}}}DigestMethod")
        value = item.find(f"{{{DSIG_NS}}}DigestValue")
        digest = DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
        if digest is None or value is None or not value.text:
            raise ContainerError(f"no digest we know for {name!r}")
        if name not in entries:
            raise ContainerError(f"the manifest lists {name!r}, which is missing")
        if base64.b64decode(value.text.strip()) != digest(entries[name]).digest():
            raise ContainerError(f"{name!r} differs from what was signed")
        listed.append(name)
    payload = [name for name in entries if not name.upper().startswith("META-INF/")]
    unlisted = sorted(set(payload) - set(listed))
    if unlisted:
        raise ContainerError(f"files the manifest does not list: {unlisted}")
    return Contents(files=tuple((name, entries[name]) for name in listed), signer=signer)


# --- CMS: the signature -----------------------------------------------------------


def sign_detached(data: bytes, *, key, certificate: x509.Certificate) -> bytes:
    """A detached CMS SignedData (DER) over `data`, SHA-256, with signed
    attributes and the signer's certificate."""
    return (
        pkcs7.PKCS7SignatureBuilder().set_data(data)
        .add_signer(certificate, key, hashes.SHA256())
        .sign(serialization.Encoding.DER,
              [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary,
               pkcs7.PKCS7Options.NoCapabilities])
    )


_HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
           "sha512": hashes.SHA512}


def _hash(name: str):
    try:
        return _HASHES[name]()
    except KeyError:
        raise ContainerError(f"a digest we do not accept: {name}") from None


def verify_detached(signature: bytes, data: bytes) -> x509.Certificate:
    """Check a detached CMS signature over `data`; returns the signer's
    certificate (carried in the signature). Raises ContainerError."""
    try:
        info = a_cms.ContentInfo.load(signature)
        if info["content_type"].native != "signed_data":
            raise ContainerError("the signature is not CMS SignedData")
        signed = info["content"]
        signers = signed["signer_infos"]
        if len(signers) != 1:
            raise ContainerError("the signature has not exactly one signer")
        signer = signers[0]
        certificate = _signer_certificate(signed, signer["sid"])
        digest_name = signer["digest_algorithm"]["algorithm"].native
        attributes = signer["signed_attrs"]
        if attributes.native is not None and len(attributes):
            digests = [a["values"][0].native for a in attributes if a["type"].native == "message_digest"]
            kinds = [a["values"][0].native for a in attributes if a["type"].native == "content_type"]
            computed = hashes.Hash(_hash(digest_name))
            computed.update(data)
            if digests != [computed.finalize()]:
                raise ContainerError("the signed digest does not match the manifest")
            if kinds and kinds != ["data"]:
                raise ContainerError("the signature is over something else")
            # The signature covers the attributes, DER-encoded as a SET OF.
            signed_bytes = b"\x31" + attributes.dump()[1:]
        else:
            signed_bytes = data
        _verify(certificate.public_key(), signer["signature"].native, signed_bytes,
                signer["signature_algorithm"], digest_name)
        return certificate
    except ContainerError:
        raise
    except InvalidSignature:
        raise ContainerError("the signature does not verify") from None
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise ContainerError(f"a signature we cannot read: {error}") from error


def _signer_certificate(signed, sid) -> x509.Certificate:
    for choice in signed["certificates"] or []:
        if choice.name != "certificate":
            continue
        candidate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            if (candidate.issuer == sid.chosen["issuer"]
                    and candidate.serial_number == sid.chosen["serial_number"].native):
                return x509.load_der_x509_certificate(candidate.dump())
        elif candidate.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(candidate.dump())
    raise ContainerError("the signer's certificate is not in the signature")


def _verify(public_key, signature: bytes, data: bytes, algorithm, digest_name: str) -> None:
    name = algorithm["algorithm"].native
    if isinstance(public_key, rsa.RSAPublicKey):
        if name == "rsassa_pss":
            params = algorithm["parameters"]
            pss_hash = _hash(params["hash_algorithm"]["algorithm"].native)
            public_key.verify(signature, data, asym_padding.PSS(
                asym_padding.MGF1(pss_hash), params["salt_length"].native), pss_hash)
        else:
            public_key.verify(signature, data, asym_padding.PKCS1v15(), _hash(digest_name))
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(_hash(digest_name)))
    else:
        raise ContainerError("a signing key we do not accept")


# --- CMS: the envelope ------------------------------------------------------------


def _oaep_identifier() -> a_cms.KeyEncryptionAlgorithm:
    sha256 = a_algos.DigestAlgorithm({"algorithm": "sha256", "parameters": a_core.Null()})
    return a_cms.KeyEncryptionAlgorithm({
        "algorithm": "rsaes_oaep",
        "parameters": a_algos.RSAESOAEPParams({
            "hash_algorithm": sha256,
            "mask_gen_algorithm": a_algos.MaskGenAlgorithm({"algorithm": "mgf1",
                                                             "parameters": sha256}),
            "p_source_algorithm": a_algos.PSourceAlgorithm({"algorithm": "p_specified",
                                                             "parameters": b""}),
        }),
    })


def encrypt(data: bytes, certificate: x509.Certificate) -> bytes:
    """CMS EnvelopedData (DER) of `data` for the holder of `certificate`."""
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ContainerError("the receiver's certificate is not an RSA certificate")
    content_key = os.urandom(32)
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(content_key), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    encrypted_key = public_key.encrypt(content_key, asym_padding.OAEP(
        mgf=asym_padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    holder = a_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    recipient = a_cms.KeyTransRecipientInfo({
        "version": "v0",
        "rid": a_cms.RecipientIdentifier({"issuer_and_serial_number": a_cms.IssuerAndSerialNumber({
            "issuer": holder.issuer, "serial_number": holder.serial_number})}),
        "key_encryption_algorithm": _oaep_identifier(),
        "encrypted_key": encrypted_key,
    })
    enveloped = a_cms.EnvelopedData({
        "version": "v0",
        "recipient_infos": [a_cms.RecipientInfo({"ktri": recipient})],
        "encrypted_content_info": a_cms.EncryptedContentInfo({
            "content_type": "data",
            "content_encryption_algorithm": a_cms.EncryptionAlgorithm({
                "algorithm": "aes256_cbc", "parameters": a_core.OctetString(iv)}),
            "encrypted_content": encrypted,
        }),
    })
    return a_cms.ContentInfo({"content_type": "enveloped_data", "content": enveloped}).dump()


def decrypt(data: bytes, *, key, certificate: x509.Certificate | None = None) -> bytes:
    """The content of CMS EnvelopedData addressed to our key (the recipient
    matching `certificate` when given, else the first we can open)."""
    try:
        info = a_cms.ContentInfo.load(data)
        if info["content_type"].native != "enveloped_data":
            raise ContainerError("not CMS EnvelopedData")
        enveloped = info["content"]
        ours = None
        if certificate is not None:
            ours = a_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
        content_key = None
        for recipient in enveloped["recipient_infos"]:
            if recipient.name != "ktri":
                continue
            ktri = recipient.chosen
            rid = ktri["rid"]
            if ours is not None and rid.name == "issuer_and_serial_number" and not (
                    rid.chosen["issuer"] == ours.issuer
                    and rid.chosen["serial_number"].native == ours.serial_number):
                continue
            content_key = _unwrap(key, ktri)
            break
        if content_key is None:
            raise ContainerError("the message is not encrypted for us")
        content = enveloped["encrypted_content_info"]
        algorithm = content["content_encryption_algorithm"]
        if algorithm["algorithm"].native not in ("aes128_cbc", "aes192_cbc", "aes256_cbc"):
            raise ContainerError(f"a cipher we do not accept: {algorithm['algorithm'].native}")
        iv = algorithm["parameters"].native
        decryptor = Cipher(algorithms.AES(content_key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(content["encrypted_content"].native) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ContainerError:
        raise
    except (ValueError, TypeError, KeyError) as error:
        raise ContainerError(f"cannot decrypt: {error}") from error


def _unwrap(key, ktri) -> bytes:
    algorithm = ktri["key_encryption_algorithm"]
    name = algorithm["algorithm"].native
    if name == "rsaes_oaep":
        params = algorithm["parameters"]
        oaep_hash = _hash(params["hash_algorithm"]["algorithm"].native)
        mgf_hash = _hash(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
        return key.decrypt(ktri["encrypted_key"].native, asym_padding.OAEP(
            mgf=asym_padding.MGF1(mgf_hash), algorithm=oaep_hash, label=None))
    if name == "rsaes_pkcs1v15":
        return key.decrypt(ktri["encrypted_key"].native, asym_padding.PKCS1v15())
    raise ContainerError(f"a key transport we do not accept: {name}")


# --- both -------------------------------------------------------------------------


def seal(files, *, key, certificate: x509.Certificate, receiver: x509.Certificate) -> bytes:
    """What goes on the wire: the signed container, encrypted for the receiver."""
    return encrypt(build(files, key=key, certificate=certificate), receiver)


def open_sealed(data: bytes, *, key, certificate: x509.Certificate | None = None,
                require_signature: bool = True) -> Contents:
    return read(decrypt(data, key=key, certificate=certificate),
                require_signature=require_signature)
