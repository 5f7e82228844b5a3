"""Load the fictional demo: two municipalities, services of every kind, people
in every role, and worries at every level-0 step.

Everything here is invented. Identity numbers are Test-Norge synthetic numbers
(month + 80), which pass the checksum but can belong to nobody: the family
logins are such numbers, typed into the local test login (devidp) as into
ID-porten's test environment. Running the command again changes nothing; it
only prints the logins.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from stafett.accounts.models import User
from stafett.archive import standin
from stafett.archive.models import ArchiveDelivery
from stafett.catalog.demo import seed_catalog
from stafett.concerns import actions
from stafett.concerns.models import Child, Concern
from stafett.feedback import demo as feedback_demo
from stafett.feedback.models import Feedback
from stafett.guides.loader import load_guide
from stafett.lib import org_number
from stafett.lib.dates import add_years
from stafett.lib.national_id import make_synthetic
from stafett.notify import outbox
from stafett.onboarding import demo as onboarding_demo
from stafett.relay import actions as relay_actions
from stafett.relay.models import Guardian
from stafett.reports import actions as report_actions
from stafett.reports import forms as report_forms
from stafett.reports.models import ChildWelfareReport
from stafett.surveys import demo as survey_demo
from stafett.surveys.models import Wave
from stafett.tenancy.actors import build_actor
from stafett.tenancy.models import Membership, Municipality, MunicipalityRole, Service
from stafett.transport import filedrop

DEMO_PASSWORD = "stafett-demo-2026"

# The demo guardians' synthetic identity numbers: what they type at the test login.
GUARDIAN_IDS = {
    "Trine Havrevoll": make_synthetic(dt.date(1989, 4, 12), 31),
    "Ole Havrevoll": make_synthetic(dt.date(1987, 9, 30), 32),
    "Eva Nyland": make_synthetic(dt.date(1986, 2, 8), 33),
    "Are Sand": make_synthetic(dt.date(1990, 6, 21), 34),
    "Kristin Strand": make_synthetic(dt.date(1984, 11, 3), 42),
    "Bjørn Lie": make_synthetic(dt.date(1982, 1, 15), 43),
}
YOUNG_PERSON = "Maja Strand"
# Staff e-mail addresses: what Fjordvik's staff type at the local "Entra ID" test login.
EMAIL_DOMAINS = {"9901": "fjordvik.example", "9902": "asheim.example"}

MUNICIPALITIES = [
    {
        "name": "Fjordvik kommune", "number": "9901", "guide": "national",
        "child_welfare_phone": "40 00 10 01",
        "after_hours_name": "Barnevernvakta i Fjordregionen", "after_hours_phone": "40 00 10 02",
        "services": [
            ("Solsikken barnehage", "basis"), ("Bakken skole", "basis"),
            ("Fjordvik ungdomsskole", "basis"), ("Helsestasjon og skolehelsetjeneste", "hjelpe"),
            ("PPT Fjordvik", "hjelpe"), ("Barneverntjenesten", "hjelpe"),
            ("Psykisk helse og rus", "voksen"), ("NAV Fjordvik", "voksen"),
            ("BUP Fjordregionen", "spesialist"),
        ],
    },
    {
        "name": "Åsheim kommune", "number": "9902", "guide": "stord",
        "child_welfare_phone": "40 00 20 01",
        "after_hours_name": "Barnevernvakta Åsheim", "after_hours_phone": "40 00 20 02",
        "services": [
            ("Åsheim barnehage", "basis"), ("Åsheim skule", "basis"),
            ("Helsestasjonen i Åsheim", "hjelpe"), ("Familietenesta", "voksen"),
        ],
    },
]

# username, first, last, municipality number, service (or None), role
PEOPLE = [
    ("kari", "Kari", "Lærersen", "9901", "Solsikken barnehage", "employee"),
    ("leif", "Leif", "Styrersen", "9901", "Solsikken barnehage", "leader"),
    ("kasper", "Kasper", "Kollegasen", "9901", "Solsikken barnehage", "employee"),
    ("olav", "Olav", "Skolesen", "9901", "Bakken skole", "employee"),
    ("lise", "Lise", "Rektorsen", "9901", "Bakken skole", "leader"),
    ("hanne", "Hanne", "Helsesen", "9901", "Helsestasjon og skolehelsetjeneste", "employee"),
    ("vidar", "Vidar", "Voksensen", "9901", "Psykisk helse og rus", "employee"),
    ("cora", "Cora", "Koordinatorsen", "9901", None, "coordinator"),
    ("per", "Per", "Åsheimsen", "9902", "Åsheim skule", "leader"),
    ("siri", "Siri", "Åsheimsen", "9902", "Åsheim barnehage", "employee"),
    ("tone", "Tone", "Pendlersen", "9901", "PPT Fjordvik", "employee"),
    ("heidi", "Heidi", "Hagen", "9901", "Helsestasjon og skolehelsetjeneste", "employee"),
]
# Inter-municipal work: Tone is in Åsheim's family service too.
SECOND_MEMBERSHIPS = [("tone", "9902", "Familietenesta", "employee")]
# Heidi has left the health station (which has no leader): the relay she held
# waits for the BTI coordinator to appoint a new holder.
LEFT = ["heidi"]

ROLE_TEXT = {
    "kari": "pedagogisk leder i barnehagen: bekymringer og en stafettlogg",
    "leif": "styrer i barnehagen: innboks for delte bekymringer",
    "kasper": "ansatt i samme barnehage: ser ikke Karis bekymringer",
    "olav": "lærer på skolen: en stafettlogg venter på at han tar over",
    "lise": "rektor: leder av en annen tjeneste",
    "hanne": "helsesykepleier: holder en stafettlogg på nivå 2, der voksentjenesten ber om å delta",
    "vidar": "voksentjeneste: har bedt om å delta i en stafettlogg som finnes fra før",
    "cora": "BTI-koordinator: ser ingen barns data, men oppnevner ny holder for Heidis stafettlogg",
    "per": "leder i Åsheim: en annen kommune",
    "siri": "ansatt i Åsheim",
    "tone": "PPT i Fjordvik og familietenesta i Åsheim: bytter kommune øverst på siden",
    "heidi": "har sluttet på helsestasjonen: ser ingenting lenger",
}


class Command(BaseCommand):
    help = "Load the fictional demo data (idempotent) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="where the app runs")

    def handle(self, *args, url="http://127.0.0.1:8000/", **options):
        with scopes_disabled():
            if not Municipality.objects.filter(number="9901").exists():
                # Texts the app writes into the logs are in the writer's language;
                # the demo's writers work in bokmål.
                with translation.override("nb"):
                    self._seed()
                self.stdout.write(self.style.SUCCESS("Demo data loaded."))
            if not Child.objects.filter(name=YOUNG_PERSON).exists():
                # Also for demo databases made before the family pages.
                with translation.override("nb"):
                    self._families(Municipality.objects.get(number="9901"))
            # Also for demo databases made before organisation numbers and reports.
            self._organisation_numbers()
            if not ChildWelfareReport.objects.exists():
                with translation.override("nb"):
                    self._report(Municipality.objects.get(number="9901"))
            if not ArchiveDelivery.objects.exists():
                # Also for demo databases made before the archive.
                with translation.override("nb"):
                    self._closed_relay(Municipality.objects.get(number="9901"))
                self._archive()
            # Who has completed the introduction to BTI (also for older demo databases).
            onboarding_demo.seed(Municipality.objects.get(number="9901"))
            if not Feedback.objects.exists():
                # Also for demo databases made before feedback to leadership.
                with translation.override("nb"):
                    codes = feedback_demo.seed(Municipality.objects.get(number="9901"))
                for code in codes:
                    self.stdout.write(f"Demo tracking code for anonymous feedback: {code}")
            if not Wave.objects.exists():
                # Also for demo databases made before the competence mapping.
                with translation.override("nb"):
                    survey_demo.seed(Municipality.objects.get(number="9901"), User.objects.get(username="cora"),
                                     DEMO_PASSWORD, EMAIL_DOMAINS["9901"])
        self._print_logins(url)
        self._print_file_drop()
        self._print_archive()

    @transaction.atomic
    def _seed(self):
        with scopes_disabled():
            municipalities, services = {}, {}
            for spec in MUNICIPALITIES:
                m = Municipality.objects.create(
                    name=spec["name"], number=spec["number"],
                    child_welfare_phone=spec["child_welfare_phone"],
                    after_hours_name=spec["after_hours_name"],
                    after_hours_phone=spec["after_hours_phone"],
                )
                municipalities[m.number] = m
                for name, kind in spec["services"]:
                    services[name] = Service.objects.create(municipality=m, name=name, kind=kind)
                with scope(municipality=m):
                    load_guide(m, spec["guide"])
            for username, first, last, number, service, role in PEOPLE:
                user = User.objects.create_user(
                    username=username, password=DEMO_PASSWORD, first_name=first, last_name=last,
                    email=f"{username}@{EMAIL_DOMAINS[number]}",
                )
                if service:
                    Membership.objects.create(
                        municipality=municipalities[number], service=services[service],
                        user=user, role=role,
                    )
                else:
                    MunicipalityRole.objects.create(
                        municipality=municipalities[number], user=user, role=role,
                    )
            for username, number, service, role in SECOND_MEMBERSHIPS:
                Membership.objects.create(
                    municipality=municipalities[number], service=services[service],
                    user=User.objects.get(username=username), role=role,
                )
            User.objects.create_superuser(
                username="drift", password=DEMO_PASSWORD, email="drift@example.invalid",
            )
        with scope(municipality=municipalities["9901"]):
            self.catalog = seed_catalog(municipalities["9901"])
        self._worries(municipalities["9901"], services["Solsikken barnehage"])
        self._worries(municipalities["9902"], services["Åsheim barnehage"], author="siri")
        self._relays(municipalities["9901"], services)
        self._departed_holder(municipalities["9901"], services)

    def _relays(self, municipality, services):
        """Two stafettlogger: Kari's from a level-0 decision, on level 1 with a
        planning meeting, a goal and a measure; and the health station's,
        started directly, on level 2 with the school, a handover waiting, and
        the adult service asking to be included (docs/one-child.md)."""

        today = timezone.localdate()
        kari, hanne, olav = (User.objects.get(username=u) for u in ("kari", "hanne", "olav"))
        kindergarten = services["Solsikken barnehage"]
        school, health = services["Bakken skole"], services["Helsestasjon og skolehelsetjeneste"]
        with scope(municipality=municipality):
            actor = build_actor(kari, municipality.pk)
            concern = Concern.objects.filter(outcome="level1", author=kari).first()
            relay = relay_actions.start_relay(
                actor, concern=concern, service=kindergarten, level=1,
                area_of_concern=concern.observations,
            )
            parents = [
                relay_actions.add_guardian(actor, relay, name="Trine Havrevoll", relation="mor",
                                           national_id=GUARDIAN_IDS["Trine Havrevoll"]),
                relay_actions.add_guardian(actor, relay, name="Ole Havrevoll", relation="far",
                                           national_id=GUARDIAN_IDS["Ole Havrevoll"]),
            ]
            relay_actions.give_consent(
                actor, relay, guardians=parents, child_consents=False, services=[kindergarten],
                purpose="Samarbeid med familien om søvn og trygghet.",
                given_on=today - dt.timedelta(days=20), valid_until=today + dt.timedelta(days=345),
                method="digital",
            )
            meeting = relay_actions.plan_meeting(
                actor, relay, kind="planning", place="Solsikken barnehage",
                starts_at=timezone.now() - dt.timedelta(days=14),
            )
            relay_actions.record_minutes(
                actor, meeting, version=meeting.version,
                minutes="Vi ble enige om faste rutiner rundt levering og henting.",
                decisions="Barnehagen gir Jonas en fast voksen ved levering.",
            )
            goal = relay_actions.add_goal(
                actor, relay, title="Jonas er trygg ved levering",
                indicator="Han slipper mor uten gråt de fleste dager.",
            )
            relay_actions.add_measure(
                actor, relay, what="Fast voksen tar imot Jonas hver morgen.",
                responsible_service=kindergarten, responsible_user=kari, goal=goal,
                starts_on=today - dt.timedelta(days=13), deadline=today + dt.timedelta(days=47),
                evaluate_on=today + dt.timedelta(days=17),
            )
            open_kindergarten = self.catalog.get("apen-barnehage")
            if open_kindergarten is not None:  # picked from the catalogue of measures
                relay_actions.add_measure(
                    actor, relay, what=open_kindergarten.name + ": mor og lillebror blir med fredager.",
                    catalog_measure=open_kindergarten, responsible_service=kindergarten,
                    starts_on=today - dt.timedelta(days=6), deadline=today + dt.timedelta(days=54),
                    evaluate_on=today + dt.timedelta(days=24),
                )
            relay_actions.add_entry(actor, relay, kind="bright_spot",
                                    text="Jonas vinket til mor i dag og gikk rett til leken.")

            nurse = build_actor(hanne, municipality.pk)
            birth = today - dt.timedelta(days=7 * 365 + 30)
            relay = relay_actions.start_relay(
                nurse, service=health, level=2,
                area_of_concern="Hodepine og fravær; mor ber om hjelp til samarbeid med skolen.",
                child={"name": "Sara Nyland", "birth_date": birth, "expected_date": None,
                       "national_id": make_synthetic(birth, 11)},
            )
            mother = relay_actions.add_guardian(nurse, relay, name="Eva Nyland", relation="mor",
                                                national_id=GUARDIAN_IDS["Eva Nyland"])
            relay_actions.give_consent(
                nurse, relay, guardians=[mother], child_consents=False, services=[health, school],
                purpose="Helsestasjonen og skolen samarbeider om Saras fravær.",
                given_on=today - dt.timedelta(days=40), valid_until=today + dt.timedelta(days=20),
                method="digital",
            )
            relay_actions.add_participant(nurse, relay, service=school, user=olav,
                                          task="Kontaktlærer")
            relay_actions.request_handover(
                nurse, relay, to_user=olav, to_service=school,
                note="Skolen følger opp fraværet videre; helsestasjonen deltar på møtene.",
            )
            # Vidar's service follows up Sara's mother and tries to start a log for
            # Sara too: she has one, so Hanne is asked to include his service.
            vidar = build_actor(User.objects.get(username="vidar"), municipality.pk)
            relay_actions.start_relay(
                vidar, service=services["Psykisk helse og rus"], level=2,
                area_of_concern="Mor får oppfølging for angst; Sara bekymrer seg for henne.",
                child={"name": "Sara Nyland", "birth_date": birth, "expected_date": None,
                       "national_id": make_synthetic(birth, 11)},
            )

    @transaction.atomic
    def _closed_relay(self, municipality):
        """A relay that has ended (Oskar's, at the health station): closing it
        queues it for the municipality's archive (docs/archive.md)."""
        today = timezone.localdate()
        health = Service.objects.get(municipality=municipality,
                                     name="Helsestasjon og skolehelsetjeneste")
        with scope(municipality=municipality):
            nurse = build_actor(User.objects.get(username="hanne"), municipality.pk)
            birth = today - dt.timedelta(days=3 * 365 + 100)
            relay = relay_actions.start_relay(
                nurse, service=health, level=1, area_of_concern="Språk og samspill med andre barn.",
                child={"name": "Oskar Solberg", "birth_date": birth, "expected_date": None,
                       "national_id": make_synthetic(birth, 12)},
            )
            father = relay_actions.add_guardian(nurse, relay, name="Per Solberg", relation="far")
            relay_actions.give_consent(
                nurse, relay, guardians=[father], child_consents=False, services=[health],
                purpose="Helsestasjonen følger opp språket til Oskar sammen med far.",
                given_on=today - dt.timedelta(days=120), valid_until=today + dt.timedelta(days=245),
                method="paper",
            )
            meeting = relay_actions.plan_meeting(
                nurse, relay, kind="evaluation_decision", place="Helsestasjonen",
                starts_at=timezone.now() - dt.timedelta(days=3),
            )
            relay_actions.record_minutes(
                nurse, meeting, version=meeting.version,
                minutes="Oskar snakker i setninger og leker godt med de andre barna.",
                decisions="Stafettloggen avsluttes; helsestasjonen følger opp ved neste kontroll.",
            )
            relay.refresh_from_db()
            relay_actions.close_relay(
                nurse, relay, version=relay.version, reason="goal_reached",
                summary="Målet er nådd: Oskars språk er alderstypisk, og far er trygg på veien videre.",
                parents_last_word="Takk for god hjelp.",
            )

    def _archive(self):
        """Deliver the demo's records now (the report of concern and the
        arkivmeldinger, through the file drop, as the worker of `make run`
        would) and let a stand-in archive answer, so the relay shows as
        archived; the demo does not wait."""
        outbox.deliver_all("seed_demo", channels_only=("report", "archive"))
        standin.answer_all(case_year=timezone.localdate().year)
        filedrop.collect_receipts("archive")

    def _print_archive(self):
        with scopes_disabled():
            delivery = ArchiveDelivery.objects.filter(source="relay").order_by("pk").first()
        if delivery is None:
            return
        folder = filedrop.root() / "archive" / delivery.municipality.number
        self.stdout.write(f"Archive: Oskar Solberg's closed relay is {delivery.status} "
                          f"(case {delivery.archive_reference or '-'}); its arkivmelding.xml "
                          f"and PDF/A files are in {folder}/<message id>/")
        self.stdout.write("")

    def _departed_holder(self, municipality, services):
        """Heidi held Emil's stafettlogg for the health station, then left."""
        today = timezone.localdate()
        health = services["Helsestasjon og skolehelsetjeneste"]
        heidi = User.objects.get(username="heidi")
        with scope(municipality=municipality):
            actor = build_actor(heidi, municipality.pk)
            birth = today - dt.timedelta(days=3 * 365 + 70)
            relay = relay_actions.start_relay(
                actor, service=health, level=1, area_of_concern="Språk og samspill med andre barn.",
                child={"name": "Emil Sand", "birth_date": birth, "expected_date": None,
                       "national_id": make_synthetic(birth, 21)},
            )
            father = relay_actions.add_guardian(actor, relay, name="Are Sand", relation="far",
                                                national_id=GUARDIAN_IDS["Are Sand"])
            relay_actions.give_consent(
                actor, relay, guardians=[father], child_consents=False, services=[health],
                purpose="Helsestasjonen følger opp språket til Emil.",
                given_on=today - dt.timedelta(days=60), valid_until=today + dt.timedelta(days=300),
                method="digital",
            )
        Membership.objects.filter(user__username__in=LEFT).update(active=False)

    @transaction.atomic
    def _families(self, municipality):
        """Maja (16) has her own log at the school health service and sees it herself; her
        mother has parental responsibility, her stepfather has none and sees
        nothing. Guardians of a demo made before the family pages get their numbers."""
        for name, number in GUARDIAN_IDS.items():
            Guardian.objects.filter(municipality=municipality, name=name, national_id="").update(
                national_id=number)
        for username, _first, _last, number, _service, _role in PEOPLE:
            User.objects.filter(username=username, email="").update(
                email=f"{username}@{EMAIL_DOMAINS[number]}")
        today = timezone.localdate()
        school = Service.objects.get(municipality=municipality, name="Bakken skole")
        health = Service.objects.get(municipality=municipality, name="Helsestasjon og skolehelsetjeneste")
        hanne = User.objects.get(username="hanne")
        with scope(municipality=municipality):
            actor = build_actor(hanne, municipality.pk)
            birth = add_years(today, -16) - dt.timedelta(days=40)
            relay = relay_actions.start_relay(
                actor, service=health, level=1,
                area_of_concern="Mye fravær og lite søvn; Maja har selv bedt om hjelp.",
                child={"name": YOUNG_PERSON, "birth_date": birth, "expected_date": None,
                       "national_id": make_synthetic(birth, 41)},
            )
            mother = relay_actions.add_guardian(
                actor, relay, name="Kristin Strand", relation="mor",
                national_id=GUARDIAN_IDS["Kristin Strand"])
            relay_actions.add_guardian(
                actor, relay, name="Bjørn Lie", relation="stefar", parental_responsibility=False,
                national_id=GUARDIAN_IDS["Bjørn Lie"])
            relay_actions.give_consent(
                actor, relay, guardians=[mother], child_consents=True, services=[health, school],
                purpose="Skolehelsetjenesten, skolen og Maja samarbeider om fravær og søvn.",
                given_on=today - dt.timedelta(days=10), valid_until=today + dt.timedelta(days=355),
                method="digital",
            )
            relay_actions.add_entry(actor, relay, kind="bright_spot",
                                    text="Maja møtte presis hele uka.")

    def _worries(self, municipality, service, author="kari"):
        today = timezone.localdate()
        user = User.objects.get(username=author)
        with scope(municipality=municipality):
            actor = build_actor(user, municipality.pk)
            specs = [
                # name, birth date (or None for unborn), steps to walk, idle days
                ("Ella Strandvik", today - dt.timedelta(days=4 * 365 + 40), 1, 2),
                ("Noah Bergly", today - dt.timedelta(days=5 * 365 + 100), 2, 9),
                ("Sofie Lindemo", today - dt.timedelta(days=3 * 365 + 200), 3, 16),
                ("Jonas Havrevoll", today - dt.timedelta(days=2 * 365 + 10), 4, 4),
                ("Mia Tjernheim", today - dt.timedelta(days=6 * 365), 5, 30),
                ("Ufødt barn av Lene Vikås", None, 1, 1),
            ]
            for serial, (name, birth, steps, idle) in enumerate(specs):
                child = {"name": name, "birth_date": birth, "expected_date": None,
                         "national_id": make_synthetic(birth, serial) if birth else ""}
                if birth is None:
                    child["expected_date"] = today + dt.timedelta(days=120)
                concern = actions.create_concern(
                    actor, service=service, child=child,
                    observations=(
                        "Har over tre uker virket sliten om morgenen og trukket seg fra leken. "
                        "Sa en dag: «Jeg vil ikke hjem i dag.»"
                    ),
                    questions="Hva skjer hjemme om kveldene? Sover barnet nok?",
                )
                if steps >= 2:
                    concern = actions.share_concern(
                        actor, concern, version=concern.version,
                        message="Kan vi se på denne sammen i neste uke?",
                    )
                if steps >= 3:
                    actions.record_conversation(
                        actor, concern, held_on=today - dt.timedelta(days=idle),
                        participants="Mor, barnet og pedagogisk leder",
                        summary="Mor forteller om en krevende periode med mye flytting.",
                        child_view="Jeg liker best når mamma henter.",
                    )
                    concern.refresh_from_db()
                if steps >= 4:
                    concern = actions.decide(
                        actor, concern, version=concern.version, outcome="level1",
                        reason="Vi følger opp i barnehagen med tettere foreldresamarbeid.",
                    )
                if steps >= 5:
                    actions.close_concern(
                        actor, concern, version=concern.version,
                        reason="Arbeidet fortsetter på nivå 1 i barnehagen.",
                    )
                # Spread the demo over time so "days since last activity" shows something.
                Concern.objects.filter(pk=concern.pk).update(
                    last_activity_at=timezone.now() - dt.timedelta(days=idle)
                )

    @transaction.atomic
    def _organisation_numbers(self):
        """Fictional organisation numbers (valid mod 11) for every demo
        municipality and service that has none: 9 + 7 digits from its id."""

        def fictional(stem: int) -> str:
            while True:
                try:
                    return org_number.make(f"9{stem % 10**7:07d}")
                except ValueError:  # no check digit ends these eight: the next will do
                    stem += 1

        for m in Municipality.objects.filter(organisation_number="").order_by("pk"):
            m.organisation_number = fictional(9_000_000 + int(m.number))
            m.save(update_fields=["organisation_number"])
        for service in Service.objects.filter(organisation_number="", kind="basis").order_by("pk"):
            # Schools and kindergartens have numbers of their own; the others
            # report under the municipality's.
            service.organisation_number = fictional(1_000_000 + service.pk * 7)
            service.save(update_fields=["organisation_number"])

    def _report(self, municipality):
        """One report of concern, written by Kari from her worry about Sofie,
        approved by Leif and sent to the file drop (see _archive)."""
        kari, leif = User.objects.get(username="kari"), User.objects.get(username="leif")
        with scope(municipality=municipality):
            concern = Concern.objects.filter(child_name="Sofie Lindemo").first()
            if concern is None:
                return
            kari_actor = build_actor(kari, municipality.pk)
            report = report_actions.create_from_concern(kari_actor, concern.pk)
            content = report.content
            values = report_forms.initial_from(content, report.version) | {
                "child_address": "Fjellveien 12", "child_postcode": "9990", "child_town": "Fjordvik",
                "child_told": "no", "child_why_not": "Barnet er tre år.",
                "guardian1_name": "Lene Lindemo", "guardian1_phone": "40 00 99 01",
                "guardian1_told": "yes",
                "reporter_role": "Pedagogisk leder", "reporter_phone": "40 00 10 11",
                "service_address": "Solsikkeveien 1", "service_postcode": "9990",
                "service_town": "Fjordvik", "interpreter": "Nei",
                "other_services": "Helsestasjonen kjenner familien.",
            }
            values["child_national_id"] = content["child"]["national_id"]
            form = report_forms.ReportForm(values)
            if not form.is_valid():
                raise RuntimeError(f"the demo report does not validate: {form.errors.as_json()}")
            report = report_actions.edit_report(kari_actor, report, version=report.version,
                                                content=form.content(report.service.name))
            report = report_actions.submit_report(kari_actor, report, version=report.version)
            report_actions.approve_report(build_actor(leif, municipality.pk), report,
                                          version=report.version)

    def _print_file_drop(self):
        with scopes_disabled():
            report = ChildWelfareReport.objects.filter(message_id__isnull=False).order_by("pk").first()
        if report is None:
            return
        folder = (settings.STAFETT_FILEDROP_DIR / "report" / report.municipality.number
                  / str(report.message_id))
        self.stdout.write(f"Reports of concern are sent to the file drop: {folder}/ "
                          "(bekymringsmelding.json and .pdf; "
                          "write kvittering.json there to answer as the child welfare service)")
        self.stdout.write("")

    def _print_logins(self, url):
        self.stdout.write("")
        self.stdout.write(f"Stafett demo: {url}  (fictional data only)")
        self.stdout.write(f"Every demo person has the password: {DEMO_PASSWORD}")
        for username, first, last, number, _service, _role in PEOPLE:
            self.stdout.write(f"  {username:8} {first} {last} ({number}) – {ROLE_TEXT[username]}")
        self.stdout.write("  drift    system operator – Django admin at /admin/")
        self.stdout.write("Fjordvik's staff can also use 'Log in with Fjordvik Entra ID (test)' "
                          "and type e.g. kari@fjordvik.example (make run only).")
        self._print_family_logins()
        self.stdout.write("")

    def _print_family_logins(self):
        with scopes_disabled():
            guardians = list(Guardian.objects.exclude(national_id="").select_related("child")
                             .order_by("child__name", "name"))
            young = Child.objects.filter(name=YOUNG_PERSON).first()
        if not guardians and young is None:
            return
        self.stdout.write("")
        self.stdout.write("Family logins at /familie/ (the local test login: type the number, "
                          "pick a level):")
        for guardian in guardians:
            what = f"{guardian.relation} til {guardian.child.name}"
            if not guardian.parental_responsibility:
                what += ", uten foreldreansvar: ser ingenting"
            self.stdout.write(f"  {guardian.national_id}  {guardian.name} – {what}")
        if young is not None:
            self.stdout.write(f"  {young.national_id}  {young.name} (16) – ser sin egen stafettlogg")
