"""The Fiks IO container, built and read back: a signed ASiC-E (mimetype
first and stored, a manifest listing every file with its digest, a CMS
signature over the manifest) inside CMS enveloped data for the receiver.
Whatever has been changed on the way is refused."""

import base64
import hashlib
import io
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree as ET

import pytest
from asn1crypto import cms

from stafett.transport import asice

from .keys import party

FILES = (("bekymringsmelding.json", '{"melding": "Æ ø å"}'.encode()),
         ("bekymringsmelding.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40))


def sender():
    return party("Fjordvik kommune")


def receiver():
    return party("Barneverntjenesten")


def sealed(files=FILES):
    return asice.seal(files, key=sender().key, certificate=sender().certificate,
                      receiver=receiver().certificate)


def unsealed_zip(data: bytes) -> bytes:
    return asice.decrypt(data, key=receiver().key, certificate=receiver().certificate)


def rezip(container: bytes, change) -> bytes:
    """The container's entries, passed through `change(name, data)`
    (returning None drops one), zipped again in order."""
    source = zipfile.ZipFile(io.BytesIO(container))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info, data)
    return out.getvalue()


def test_the_files_come_back_as_sent_with_the_senders_certificate():
    contents = asice.open_sealed(sealed(), key=receiver().key, certificate=receiver().certificate)
    assert contents.files == FILES
    assert contents.signer == sender().certificate
    assert contents.file("bekymringsmelding.json") == FILES[0][1]


def test_mimetype_is_the_first_entry_and_stored():
    archive = zipfile.ZipFile(io.BytesIO(unsealed_zip(sealed())))
    first = archive.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert archive.read(first) == b"application/vnd.etsi.asic-e+zip"
    # Readable at a fixed offset, as the format requires: no extra field.
    assert archive.fp.getvalue()[30:38] == b"mimetype"
    assert [i.filename for i in archive.infolist()] == [
        "mimetype", "bekymringsmelding.json", "bekymringsmelding.pdf",
        "META-INF/asicmanifest.xml", "META-INF/signature.p7s"]


def test_the_manifest_lists_every_file_with_its_digest():
    archive = zipfile.ZipFile(io.BytesIO(unsealed_zip(sealed())))
    root = ET.fromstring(archive.read("META-INF/asicmanifest.xml"))
    ns = {"a": asice.ASIC_NS, "ds": asice.DSIG_NS}
    assert root.tag == f"{{{asice.ASIC_NS}}}ASiCManifest"
    assert root.find("a:SigReference", ns).get("URI") == "META-INF/signature.p7s"
    references = root.findall("a:DataObjectReference", ns)
    assert [r.get("URI") for r in references] == [name for name, _ in FILES]
    assert [r.get("MimeType") for r in references] == ["application/json", "application/pdf"]
    assert references[0].get("Rootfile") == "true"
    for reference, (_, content) in zip(references, FILES, strict=True):
        value = reference.find("ds:DigestValue", ns).text
        assert base64.b64decode(value) == hashlib.sha256(content).digest()


def test_the_signature_is_cms_over_the_manifest_by_the_sender():
    archive = zipfile.ZipFile(io.BytesIO(unsealed_zip(sealed())))
    signature = archive.read("META-INF/signature.p7s")
    manifest = archive.read("META-INF/asicmanifest.xml")
    assert asice.verify_detached(signature, manifest) == sender().certificate
    with pytest.raises(asice.ContainerError):
        asice.verify_detached(signature, manifest.replace(b"Rootfile", b"Rootfilf"))
    signed = cms.ContentInfo.load(signature)["content"]
    assert signed["encap_content_info"]["content"].native is None  # detached
    assert signed["signer_infos"][0]["digest_algorithm"]["algorithm"].native == "sha256"


def test_the_envelope_uses_the_algorithms_of_ks_clients():
    info = cms.ContentInfo.load(sealed())
    assert info["content_type"].native == "enveloped_data"
    recipient = info["content"]["recipient_infos"][0].chosen
    algorithm = recipient["key_encryption_algorithm"]
    assert algorithm["algorithm"].native == "rsaes_oaep"
    assert algorithm["parameters"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert algorithm["parameters"]["mask_gen_algorithm"]["parameters"]["algorithm"].native == "sha256"
    assert recipient["rid"].chosen["serial_number"].native == receiver().certificate.serial_number
    content = info["content"]["encrypted_content_info"]
    assert content["content_encryption_algorithm"]["algorithm"].native == "aes256_cbc"
    assert FILES[0][1] not in info.dump()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed")
def test_openssl_opens_the_envelope_and_verifies_the_signature(tmp_path):
    """A second, independent implementation reads what we write."""
    (tmp_path / "key.pem").write_bytes(receiver().key_pem())
    (tmp_path / "cert.pem").write_bytes(receiver().certificate_pem())
    (tmp_path / "sealed.der").write_bytes(sealed())
    subprocess.run(["openssl", "cms", "-decrypt", "-inform", "DER", "-in", "sealed.der",
                    "-inkey", "key.pem", "-recip", "cert.pem", "-out", "container.zip"],
                   cwd=tmp_path, check=True, capture_output=True)
    archive = zipfile.ZipFile(tmp_path / "container.zip")
    archive.extractall(tmp_path / "x")
    verified = subprocess.run(
        ["openssl", "cms", "-verify", "-inform", "DER", "-binary", "-noverify",
         "-in", "META-INF/signature.p7s", "-content", "META-INF/asicmanifest.xml",
         "-out", "/dev/null"], cwd=tmp_path / "x", capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    assert (tmp_path / "x" / "bekymringsmelding.pdf").read_bytes() == FILES[1][1]


def refused(container: bytes, match: str):
    with pytest.raises(asice.ContainerError, match=match):
        asice.read(container)


def test_a_changed_file_is_refused():
    container = unsealed_zip(sealed())
    refused(rezip(container, lambda name, data: data.replace(b"\xc3\x86", b"AE")
                  if name == "bekymringsmelding.json" else data), "differs from what was signed")


def test_a_changed_manifest_is_refused():
    """Both a file and its digest changed: the signature no longer holds."""
    container = unsealed_zip(sealed())
    new = b'{"melding": "noe annet"}'
    old_digest = base64.b64encode(hashlib.sha256(FILES[0][1]).digest())
    new_digest = base64.b64encode(hashlib.sha256(new).digest())

    def change(name, data):
        if name == "bekymringsmelding.json":
            return new
        if name == "META-INF/asicmanifest.xml":
            return data.replace(old_digest, new_digest)
        return data

    refused(rezip(container, change), "signed digest does not match")


def test_an_added_or_missing_file_is_refused():
    container = unsealed_zip(sealed())
    extra = io.BytesIO(container)
    with zipfile.ZipFile(extra, "a") as archive:
        archive.writestr("annet.txt", b"smuglet inn")
    refused(extra.getvalue(), "does not list")
    refused(rezip(container, lambda name, data: None if name == "bekymringsmelding.pdf" else data),
            "which is missing")


def test_a_wrong_or_misplaced_mimetype_is_refused():
    container = unsealed_zip(sealed())
    refused(rezip(container, lambda name, data: b"application/zip" if name == "mimetype" else data),
            "not ASiC-E")
    source = zipfile.ZipFile(io.BytesIO(container))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    refused(out.getvalue(), "compressed")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in reversed(source.infolist()):
            target.writestr(info, source.read(info))
    refused(out.getvalue(), "not the first")


def test_an_unsigned_container_is_refused_unless_allowed():
    container = unsealed_zip(sealed())
    manifest = asice.manifest(FILES, signature=None)
    unsigned = rezip(container, lambda name, data: None if name == asice.SIGNATURE
                     else manifest if name == asice.MANIFEST else data)
    refused(unsigned, "not signed")
    assert asice.read(unsigned, require_signature=False).files == FILES


def test_a_message_for_someone_else_or_damaged_on_the_way_is_refused():
    data = sealed()
    stranger = party("Noen andre")
    with pytest.raises(asice.ContainerError):
        asice.open_sealed(data, key=stranger.key, certificate=stranger.certificate)
    with pytest.raises(asice.ContainerError):
        asice.open_sealed(data, key=stranger.key)  # the key cannot open the content key
    damaged = bytearray(data)
    damaged[-20] ^= 0xFF
    with pytest.raises(asice.ContainerError):
        asice.open_sealed(bytes(damaged), key=receiver().key)
    with pytest.raises(asice.ContainerError):
        asice.open_sealed(b"not cms at all", key=receiver().key)


def test_unsafe_names_and_doctype_tricks_are_refused():
    for name in ("../x.json", "META-INF/x.xml", "mimetype", "a/b.json", ""):
        with pytest.raises(asice.ContainerError):
            asice.build([(name, b"{}")], key=sender().key, certificate=sender().certificate)
    container = unsealed_zip(sealed())
    bomb = (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]>'
            b'<ASiCManifest xmlns="http://uri.etsi.org/02918/v1.2.1#">&x;</ASiCManifest>')
    refused(rezip(container, lambda name, data: bomb if name == asice.MANIFEST else data),
            "document type")


def test_more_than_we_accept_unpacked_is_refused(monkeypatch):
    container = unsealed_zip(sealed())
    monkeypatch.setattr(asice, "MAX_SIZE", 5000)
    refused(container, "more than we accept")
