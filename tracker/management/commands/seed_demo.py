"""Load the demo province (Lâm Đồng), its officials and its 2026 CCHC plan."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone, translation

from plans.models import (
    Indicator,
    IndicatorTarget,
    Level,
    Measurement,
    Official,
    Plan,
    PlanStatus,
    Role,
    ScoreRequest,
    Unit,
)
from plans.planning import create_plan
from plans.unitgroups import add_standard_phrases
from tasks.models import Status, Task
from tasks.scores.days import enter_manual_score
from tasks.scores.rollup import rollup
from tracker.demo import data as demo
from tracker.demo.trail import at, write_history

DEMO_PASSWORD = "cchc2026"
YEAR = 2026
# Cumulative shares of the states of tasks already due, and of tasks not yet due.
PAST_DUE = [
    (0.50, "on_time"),
    (0.65, "late"),
    (0.73, Status.SUBMITTED),
    (0.90, Status.IN_PROGRESS),
    (0.95, Status.TODO),
    (1.01, Status.CANCELLED),
]
NOT_YET_DUE = [
    (0.12, "early"),
    (0.20, Status.SUBMITTED),
    (0.65, Status.IN_PROGRESS),
    (0.97, Status.TODO),
    (1.01, Status.CANCELLED),
]


def day(ddmm: str) -> dt.date:
    d, m = (int(x) for x in ddmm.split("/"))
    return dt.date(YEAR, m, d)


class Command(BaseCommand):
    help = "Load the demo province and its 2026 CCHC plan; a second run changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--three-level",
            action="store_true",
            help="Add district units between the province and the communes (before 07/2025).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load when the database has no unit yet; print the logins either way.",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="The date task states are spread around (default: today).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write("Cơ sở dữ liệu đã có dữ liệu: giữ nguyên, không nạp dữ liệu mẫu.")
        else:
            self.today = options["today"] or timezone.localdate()
            self.now = min(
                timezone.now(),
                timezone.make_aware(dt.datetime.combine(self.today, dt.time(10))),
            )
            self.password_hash = make_password(DEMO_PASSWORD)
            with transaction.atomic():
                self.load(three_level=options["three_level"])
        self.print_logins()

    # -- loading ---------------------------------------------------------------

    def step(self, message: str) -> None:
        self.stdout.write(f"  {message}", ending="\n")
        self.stdout.flush()

    def load(self, three_level: bool) -> None:
        self.stdout.write(
            self.style.MIGRATE_HEADING("Nạp dữ liệu mẫu: tỉnh Lâm Đồng, kế hoạch CCHC 2026")
        )
        add_standard_phrases()  # the product's own, again after a database was emptied
        self.units = self.load_units(three_level)
        self.step(f"[1/7] Đơn vị: {len(self.units)}")
        self.load_people()
        self.step(f"[2/7] Người dùng: {Official.objects.count()}")
        plan = self.load_plan()
        self.step(f"[3/7] Kế hoạch: {plan.document_number} ({plan.title})")
        created = self.load_tasks(plan)
        self.step(f"[4/7] Nhiệm vụ: {plan.tasks.count()} (mới {created})")
        issued = self.load_unit_plans(plan)
        self.step(f"[5/7] Kế hoạch CCHC của các đơn vị: {issued} đã ban hành")
        measured = self.load_indicators(plan)
        self.step(f"[6/7] Chỉ tiêu: {plan.indicators.count()}, số liệu mới {measured}")
        days = self.load_scores(plan)
        self.step(f"[7/7] Điểm chỉ đạo, điều hành: {len(days)} lần tổng hợp")
        self.stdout.write(self.style.SUCCESS("Xong."))

    def unit(self, code: str, name: str, level: str, parent: Unit | None) -> Unit:
        unit, _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )
        return unit

    def load_units(self, three_level: bool) -> dict[str, Unit]:
        units: dict[str, Unit] = {}
        code, name, _ = demo.PROVINCE
        province = units[code] = self.unit(code, name, Level.PROVINCE, None)
        # The People's Committee's office is one of its specialised agencies,
        # scored in the same block as the sở.
        code, name, _ = demo.OFFICE
        units[code] = self.unit(code, name, Level.DEPARTMENT, province)
        for code, name, _ in demo.DEPARTMENTS:
            units[code] = self.unit(code, name, Level.DEPARTMENT, province)
        districts: dict[str, Unit] = {}
        if three_level:
            for code, name in demo.DISTRICTS:
                districts[code] = units[code] = self.unit(code, name, Level.DISTRICT, province)
        for code, name, district in demo.COMMUNES:
            parent = districts.get(district, province)
            units[code] = self.unit(code, name, Level.COMMUNE, parent)
            if three_level and units[code].parent_id != parent.pk:
                units[code].parent = parent
                units[code].save(update_fields=["parent", "updated_at"])
        return units

    def person(self, username: str, unit: Unit | None, role: str, position: str) -> Official:
        rng = random.Random(username)
        middle = rng.choice(demo.MIDDLE)
        full_name = f"{rng.choice(demo.FAMILY)} {middle} {rng.choice(demo.GIVEN)}"
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@lamdong.example",
                "password": self.password_hash,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        official, _ = Official.objects.get_or_create(
            user=user,
            defaults={
                "full_name": full_name,
                "unit": unit,
                "role": role,
                "position": position,
                "phone": f"0263 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            },
        )
        return official

    def load_people(self) -> None:
        self.person("admin", None, Role.ADMIN, "Quản trị hệ thống")
        for username, code, position in demo.COMMITTEE:
            self.person(username, self.units[code], Role.COMMITTEE, position)
        positions = {code: pos for code, _, pos in [demo.PROVINCE, demo.OFFICE, *demo.DEPARTMENTS]}
        for code, unit in self.units.items():
            if unit.level == Level.COMMUNE or unit.level == Level.DISTRICT:
                head_position = "Chủ tịch UBND"
            else:
                head_position = positions[code]
            self.person(f"{code}.head", unit, Role.HEAD, head_position)
            self.person(f"{code}.cv1", unit, Role.OFFICIAL, "Chuyên viên đầu mối CCHC")
            self.person(f"{code}.cv2", unit, Role.OFFICIAL, "Chuyên viên")

    def load_plan(self) -> Plan:
        """The province plan, created and issued by the Chairman through the service."""
        province = self.units[demo.PROVINCE[0]]
        plan = Plan.objects.filter(
            unit=province, year=YEAR, document_number=demo.PLAN_NUMBER
        ).first()
        if plan is not None:
            return plan
        d, m = demo.PLAN_ISSUED
        return create_plan(
            self.head_of(province),
            unit_id=province.pk,
            year=YEAR,
            title=demo.PLAN_TITLE,
            document_number=demo.PLAN_NUMBER,
            issued_on=dt.date(YEAR, m, d),
            status=PlanStatus.ISSUED,
            now=self.now,
        )

    def head_of(self, unit: Unit) -> Official:
        return Official.objects.get(unit=unit, role=Role.HEAD)

    def unit_plan_state(self, code: str) -> str:
        """Whether a unit issued its own plan on time, late, or not at all (most on time)."""
        r = random.Random(f"unit-plan:{code}").random()
        return "on_time" if r < 0.7 else "late" if r < 0.85 else "none"

    def load_unit_plans(self, plan: Plan) -> int:
        """Each sở's and xã's own plan, issued by its head as its "issue the plan" task says.

        The task was accepted on the day the plan was issued; a unit that has
        not issued its plan has that task still open.
        """
        titles = {spec["title"]: spec["lead"] for spec in self.task_specs() if spec.get("state")}
        tasks = plan.tasks.filter(title__in=titles, status=Status.DONE).prefetch_related("evidence")
        # The plan is the document the task's evidence names.
        start = plan.issued_on or dt.date(YEAR, 1, 1)
        issued = {
            titles[t.title]: (e.document_number, max(e.issued_on or start, start))
            for t in tasks
            for e in list(t.evidence.all())[:1]
        }
        for code, unit in self.units.items():
            if code not in issued or Plan.objects.filter(parent=plan, unit=unit).exists():
                continue
            number, issued_on = issued[code]
            create_plan(
                self.head_of(unit),
                unit_id=unit.pk,
                parent_id=plan.pk,
                year=YEAR,
                title=f"Kế hoạch cải cách hành chính năm {YEAR} của {unit.name}",
                document_number=number,
                issued_on=issued_on,
                status=PlanStatus.ISSUED,
                now=self.now,
            )
        return Plan.objects.filter(parent=plan).count()

    def task_specs(self) -> list[dict[str, Any]]:
        """Every task of the demo plan, in a stable order."""
        specs = [
            {
                "area": a,
                "sub": s,
                "title": t,
                "lead": lead,
                "partners": p,
                "due": day(d),
                "deliverable": dl,
            }
            for a, s, t, lead, p, d, dl in demo.TASKS
        ]
        for code, unit in self.units.items():
            per_unit = []
            if unit.level in (Level.DEPARTMENT, Level.DISTRICT, Level.COMMUNE):
                per_unit += demo.PER_UNIT_TASKS
            if unit.level == Level.COMMUNE:
                per_unit += demo.PER_COMMUNE_TASKS
            for a, s, t, d, dl in per_unit:
                specs.append(
                    {
                        "area": a,
                        "sub": s,
                        "title": t.format(unit=unit.name),
                        "lead": code,
                        "partners": [],
                        "due": day(d),
                        "deliverable": dl,
                        # The unit's own plan: its task says when it was issued.
                        "state": self.unit_plan_state(code)
                        if t == demo.ISSUE_UNIT_PLAN and unit.level != Level.DISTRICT
                        else None,
                    }
                )
        return specs

    def load_tasks(self, plan: Plan) -> int:
        areas = {a.number: a for a in plan.areas.all()}
        officials: dict[int, list[Official]] = {}
        for o in Official.objects.filter(unit__in=self.units.values()).order_by("user__username"):
            if o.unit_id is not None:
                officials.setdefault(o.unit_id, []).append(o)
        existing = set(plan.tasks.values_list("title", flat=True))
        made: list[int] = []
        for spec in self.task_specs():
            if spec["title"] in existing:
                continue
            parent = self.make_task(plan, areas, officials, spec, parent=None)
            made.append(parent.pk)
            for title, due, deliverable in demo.SUBTASKS.get(spec["title"], []):
                sub = {**spec, "title": title, "due": day(due), "deliverable": deliverable}
                made.append(self.make_task(plan, areas, officials, sub, parent=parent).pk)
        if plan.issued_on is not None:
            # The appendix's tasks were entered when the plan was issued: the reports of
            # the windows closed since count them as they stood.
            entered = timezone.make_aware(dt.datetime.combine(plan.issued_on, dt.time(8)))
            Task.objects.filter(pk__in=made).update(created_at=min(entered, self.now))
        return len(made)

    def make_task(
        self,
        plan: Plan,
        areas: dict[int, Any],
        officials: dict[int, list[Official]],
        spec: dict[str, Any],
        parent: Task | None,
    ) -> Task:
        """Create one task with assignees, a state around today, evidence and history."""
        rng = random.Random(spec["title"])
        lead = self.units[spec["lead"]]
        staff = officials[lead.pk]
        head = next(o for o in staff if o.role == Role.HEAD)
        workers = [o for o in staff if o.role == Role.OFFICIAL]
        plan_head = next((o for o in officials.get(plan.unit_id, []) if o.role == Role.HEAD), head)
        assignees = [] if rng.random() < 0.15 else rng.sample(workers, rng.choice([1, 1, 2]))
        status, completed = self.pick_state(spec["due"], rng, spec.get("state"))
        task = Task.objects.create(
            plan=plan,
            parent=parent,
            area=areas[spec["area"]],
            subcriterion=spec["sub"],
            title=spec["title"],
            description=f"Thực hiện theo {plan.document_number} ngày {plan.issued_on:%d/%m/%Y}.",
            lead_unit=lead,
            due_date=spec["due"],
            original_due_date=spec["due"],
            deliverable=spec["deliverable"],
            status=status,
            completed_at=completed,
            created_by=plan_head,
        )
        task.partner_units.set([self.units[c] for c in spec["partners"]])
        task.assignees.set(assignees)
        write_history(task, plan, plan_head, head, assignees, rng, self.today)
        return task

    def pick_state(
        self, due: dt.date, rng: random.Random, forced: str | None = None
    ) -> tuple[str, dt.datetime | None]:
        """A state spread around today: on time, late, early, submitted, overdue, cancelled.

        `forced`: "on_time", "late", or "none" (still in progress), when the
        state must agree with something else (a unit's own plan).
        """
        r = rng.random()
        shares = PAST_DUE if due < self.today else NOT_YET_DUE
        state = next(state for share, state in shares if r < share)
        if forced is not None and due < self.today:
            state = Status.IN_PROGRESS if forced == "none" else forced
        if state == "on_time":
            done_on = due - dt.timedelta(days=rng.randint(0, 10))
        elif state == "late":
            done_on = min(due + dt.timedelta(days=rng.randint(1, 20)), self.today)
        elif state == "early":
            done_on = self.today - dt.timedelta(days=rng.randint(1, 20))
        else:
            return state, None
        # Never in the future, even when accepted "today".
        return Status.DONE, min(at(done_on, rng), timezone.now())

    def load_indicators(self, plan: Plan) -> int:
        """The plan's indicators with per-level targets and three quarters of figures."""
        created = 0
        quarters = [
            (dt.date(YEAR, m, 1), end)
            for m, end in [
                (1, dt.date(YEAR, 3, 31)),
                (4, dt.date(YEAR, 6, 30)),
                (7, dt.date(YEAR, 9, 30)),
            ]
        ]
        reporter = {o.unit_id: o for o in Official.objects.filter(role=Role.HEAD)}
        for code, name, targets in demo.INDICATORS:
            indicator, _ = Indicator.objects.get_or_create(
                plan=plan, code=code, defaults={"name": name}
            )
            for level, pct in targets.items():
                IndicatorTarget.objects.get_or_create(
                    indicator=indicator, level=level, defaults={"target_pct": Decimal(pct)}
                )
            for unit in self.units.values():
                target = targets[unit.level]
                rng = random.Random(f"{code}:{unit.code}")
                for q, (start, end) in enumerate(quarters):
                    if end >= self.today or (q == 2 and rng.random() < 0.15):
                        continue  # not reported yet, or late with the report
                    denominator = (
                        rng.randint(80, 400)
                        if unit.level == Level.COMMUNE
                        else rng.randint(200, 1500)
                    )
                    share = min(100.0, max(5.0, rng.gauss(target + 2 * q - 3, 12)))
                    _, made = Measurement.objects.get_or_create(
                        indicator=indicator,
                        unit=unit,
                        period_start=start,
                        period_end=end,
                        defaults={
                            "numerator": round(denominator * share / 100),
                            "denominator": denominator,
                            "reported_by": reporter.get(unit.pk),
                        },
                    )
                    created += made
        return created

    def load_scores(self, plan: Plan) -> list[dt.date]:
        """An appraiser's points (judged items, a penalty), then the roll-up at each month's end.

        The month ends give the dashboards' trend lines a history to draw.
        """
        committee = Official.objects.filter(role=Role.COMMITTEE).order_by("pk").first()
        if committee and not plan.manual_scores.exists():
            for code, sub, points, why in demo.MANUAL_SCORES:
                when = at(dt.date(YEAR, 10, 20), random.Random(code))
                enter_manual_score(
                    committee,
                    plan,
                    unit_id=self.units[code].pk,
                    code=sub,
                    points=Decimal(points),
                    justification=why,
                    now=min(when, self.now),
                )
        days = [
            dt.date(YEAR, month + 1, 1) - dt.timedelta(days=1)
            for month in range((plan.issued_on or self.today).month, 12)
            if dt.date(YEAR, month + 1, 1) <= self.today
        ]
        days.append(self.today)
        for day in days:
            rollup(plan, day)
        # Today's scores were just computed: the changes above need no other run.
        ScoreRequest.objects.filter(plan=plan).delete()
        return days

    # -- logins ----------------------------------------------------------------

    def print_logins(self) -> None:
        """One line per unit: its head and two officials; then admin and the committee."""
        officials = (
            Official.objects.filter(user__username__in=self.demo_usernames())
            .select_related("user", "unit")
            .order_by("unit__level", "unit__name", "user__username")
        )
        by_unit: dict[str, list[str]] = {}
        special: list[str] = []
        for o in officials:
            if o.sees_everything or o.unit is None:
                where = f" ({o.unit.name})" if o.unit else ""
                special.append(f"{o.user.username:<8} {o.get_role_display()}{where}")
            else:
                by_unit.setdefault(o.unit.name, []).append(o.user.username)
        if not special and not by_unit:
            return
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"Tài khoản mẫu — mật khẩu chung: {DEMO_PASSWORD}")
        )
        for line in special:
            self.stdout.write(f"  {line}")
        width = max((len(name) for name in by_unit), default=0)
        self.stdout.write("  Thủ trưởng (.head) và chuyên viên (.cv1, .cv2) của từng đơn vị:")
        for name, usernames in by_unit.items():
            self.stdout.write(f"    {name:<{width}}  {'  '.join(usernames)}")

    def demo_usernames(self) -> list[str]:
        codes = [demo.PROVINCE[0], demo.OFFICE[0]] + [c for c, *_ in demo.DEPARTMENTS]
        codes += [c for c, *_ in demo.DISTRICTS] + [c for c, *_ in demo.COMMUNES]
        names = ["admin"] + [u for u, *_ in demo.COMMITTEE]
        return names + [f"{c}.{suffix}" for c in codes for suffix in ("head", "cv1", "cv2")]
