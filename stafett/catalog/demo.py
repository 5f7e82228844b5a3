"""A fictional catalogue of measures for the demo municipality Fjordvik
(seed_demo). Services are looked up by name; a missing one is skipped."""

from __future__ import annotations

from stafett.tenancy.models import Service

from .models import CatalogMeasure

LOW, REFERRAL, MEETING = "low_threshold", "referral", "meeting"

# key, name, description, ages, groups, levels, steps, service, access, contact
FJORDVIK = [
    ("icdp-foreldreveiledning", "Foreldreveiledning ICDP",
     "Gruppeveiledning for foreldre over åtte samlinger: samspill, trygghet og grensesetting.",
     (0, 18), "parents", "12", "1.3 2.3", "Helsestasjon og skolehelsetjeneste", LOW,
     "Helsestasjonen, tlf. 40 00 11 20"),
    ("helsestasjon-for-ungdom", "Helsestasjon for ungdom",
     "Drop-in for ungdom: samtaler om helse, kropp, rus og livet. Gratis, uten timebestilling.",
     (13, 20), "young", "01", "", "Helsestasjon og skolehelsetjeneste", LOW,
     "Tirsdager kl. 14–17, Fjordvik helsehus"),
    ("pmto", "PMTO – foreldretrening",
     "Individuell foreldretrening for familier der barnet har atferdsvansker.",
     (3, 12), "parents", "23", "2.3 3.3", "Barneverntjenesten", REFERRAL,
     "Barneverntjenesten, tlf. 40 00 10 01"),
    ("familieteam", "Familieteamet",
     "Tverrfaglig team som hjelper familier med sammensatte behov over tid.",
     (0, 18), "child parents", "23", "2.3 3.3", "Barneverntjenesten", MEETING,
     "Tas opp i stafettloggmøte"),
    ("leksehjelp", "Leksehjelp på biblioteket",
     "Frivillige og lærere hjelper med lekser to ettermiddager i uka.",
     (6, 16), "child young", "01", "1.3", "Bakken skole", LOW, "Biblioteket, man og ons kl. 15–17"),
    ("apen-barnehage", "Åpen barnehage",
     "Møteplass for småbarnsforeldre og barn som ikke går i barnehage.",
     (0, 6), "child parents", "01", "", "Solsikken barnehage", LOW, "Solsikken, fredager kl. 9–12"),
    ("svangerskapsomsorg", "Svangerskapsomsorg og hjemmebesøk",
     "Jordmor følger gravide; hjemmebesøk etter fødsel.",
     None, "unborn parents", "01", "0.2", "Helsestasjon og skolehelsetjeneste", LOW,
     "Jordmortjenesten, tlf. 40 00 11 21"),
    ("sosial-ferdighetstrening", "Sosial ferdighetstrening i gruppe",
     "Gruppe for barn som trenger støtte i vennskap og samspill.",
     (7, 12), "child", "12", "1.3", "PPT Fjordvik", REFERRAL, "PPT, tlf. 40 00 11 40"),
    ("samtalegruppe-skilsmisse", "Samtalegruppe for barn med skilte foreldre",
     "Barn møter andre i samme situasjon, ledet av helsesykepleier.",
     (8, 14), "child", "12", "", "Helsestasjon og skolehelsetjeneste", LOW,
     "Helsesykepleier på skolen"),
    ("barn-som-parorende", "Barn som pårørende",
     "Samtaler og informasjon til barn av foreldre med psykisk sykdom eller rusproblemer.",
     (4, 18), "child young parents", "12", "1.3 2.3", "Psykisk helse og rus", LOW,
     "Barneansvarlig, tlf. 40 00 11 60"),
    ("ungdomslos", "Ungdomslos",
     "Fast voksen som hjelper ungdom som står i fare for å droppe ut av skolen.",
     (14, 21), "young", "23", "2.3", "NAV Fjordvik", MEETING, "NAV Fjordvik, ungdomsteamet"),
    ("bup-poliklinikk", "BUP poliklinikk",
     "Utredning og behandling i spesialisthelsetjenesten.",
     (0, 18), "child young", "3", "3.3", "BUP Fjordregionen", REFERRAL, "Henvisning fra fastlege"),
]


def seed_catalog(municipality) -> dict[str, CatalogMeasure]:
    services = {s.name: s for s in Service.objects.filter(municipality=municipality)}
    made = {}
    for key, name, text, ages, groups, levels, steps, service, access, contact in FJORDVIK:
        if service not in services:
            continue
        made[key] = CatalogMeasure.objects.create(
            municipality=municipality, key=key, name=name, description=text,
            age_from=ages[0] if ages else None, age_to=ages[1] if ages else None,
            for_unborn="unborn" in groups, for_children="child" in groups.split(),
            for_young="young" in groups, for_parents="parents" in groups,
            levels=levels, steps=steps, service=services[service], access=access, contact=contact,
        )
    return made
