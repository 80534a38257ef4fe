"""Benchmark: importing a 1,000-row plan appendix on SQLite, and refusing a huge one.

Targets: the dry run and the import each under 5 s; a 400,000-row sheet refused
(422) in under 2 s with the process under 150 MB.

Run from the project root; it uses its own SQLite database under
var/bench-appendix/ (DATA_DIR), with the demo province loaded the first time:

    .venv/bin/python bench/appendix.py

The appendix is an .xlsx written here as provinces write them: two title rows,
the header, the eight areas as Roman-numeral headings, 1,000 task rows (one in
five a subtask), lead units named without accents, two cooperating units
each, deadlines as phrases ("Quý II", "30/6", "Thường xuyên"). Each run
imports into a new empty plan of a new year, so runs do not pile up.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench-appendix"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from kit.text import fold  # noqa: E402
from plans import planning  # noqa: E402
from plans.models import Area, Official, Plan, PlanStatus, Unit  # noqa: E402
from tasks.appendix.load import import_appendix  # noqa: E402

ROWS = 1000
PHRASES = ["Quý I", "Quý II", "30/6", "Tháng 9", "6 tháng cuối năm", "Thường xuyên", "Trước 15/3"]


def appendix(units: list[Unit], areas: list[Area]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["PHỤ LỤC"])
    sheet.append(["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH"])
    sheet.append(
        [
            "STT",
            "Nhiệm vụ",
            "Cơ quan chủ trì",
            "Cơ quan phối hợp",
            "Thời gian hoàn thành",
            "Sản phẩm dự kiến",
        ]
    )
    romans = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    per_area = ROWS // len(areas)
    number = 0
    for roman, area in zip(romans, areas, strict=False):
        sheet.append([roman, area.name, "", "", "", ""])
        top = 0
        for n in range(per_area):
            lead = units[n % len(units)]
            if n % 5 == 4 and top:
                stt = f"{number}.{n % 5}"
            else:
                number += 1
                top = number
                stt = str(number)
            sheet.append(
                [
                    stt,
                    f"Nhiệm vụ {area.number}.{n} của kế hoạch thử",
                    fold(lead.name),
                    f"{units[(n + 1) % len(units)].name}; {units[(n + 2) % len(units)].name}",
                    PHRASES[n % len(PHRASES)],
                    "Báo cáo",
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        call_command("seed_demo", verbosity=0)
    admin = Official.objects.get(user__username="admin")
    province = Unit.objects.get(code="ubnd-tinh")
    year = 2030 + Plan.objects.filter(document_number__startswith="BENCH-APPENDIX").count()
    plan = planning.create_plan(
        admin,
        unit_id=province.pk,
        year=year,
        title=f"Kế hoạch thử {year}",
        document_number=f"BENCH-APPENDIX-{year}",
        issued_on=dt.date(year, 1, 10),
        status=PlanStatus.ISSUED,
    )
    refused = refusal()
    units = list(Unit.objects.exclude(pk=province.pk).order_by("code"))
    data = appendix(units, list(plan.areas.order_by("number")))
    times = {}
    for label, dry in (("dry run", True), ("import", False)):
        started = time.perf_counter()
        result = import_appendix(
            admin, plan, data, "phu-luc.xlsx", dry_run=dry, confirm_warnings=True
        )
        times[label] = time.perf_counter() - started
        assert not result.errors, result.errors[:3]
        print(f"{label:8} {result.rows:5} rows, {len(result.created)} tasks: {times[label]:.2f} s")
    assert plan.tasks.count() == ROWS
    ok = all(t < 5 for t in times.values())
    print(f"target   each under 5 s on SQLite: {'met' if ok else 'NOT met'}")
    return 0 if refused and ok else 1


REFUSE = """
import sys, time
import django
django.setup()
from kit.errors import Invalid
from tasks.appendix.read import read_table
def high_water():  # VmHWM: this process's own peak (ru_maxrss survives exec on Linux)
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024
data = open(sys.argv[1], "rb").read()
before = high_water()
started = time.perf_counter()
try:
    read_table(data, "lon.xlsx")
    said = "not refused"
except Invalid as refused:
    said = refused.message
took = time.perf_counter() - started
peak = high_water()
print(f"{took:.3f} {before:.0f} {peak:.0f} {said}")
"""


def refusal() -> bool:
    """A 400,000-row sheet (3 MB packed, without <dimension>) is refused at the row limit,
    measured in a process of its own as a web worker would read it."""
    from tests.tasks.test_appendix_import import raw_xlsx

    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 400_001))
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(raw_xlsx(rows))
        file.flush()
        size = os.path.getsize(file.name) // 1024
        done = subprocess.run(
            [sys.executable, "-c", REFUSE, file.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    took, before, peak, said = done.stdout.strip().split(" ", 3)
    print(
        f"400,000 rows ({size} KB): {said!r} in {float(took):.2f} s; "
        f"the process {before} MB before, {peak} MB at its peak"
    )
    ok = float(took) < 2 and float(peak) < 150 and said != "not refused"
    print(f"target   refused in under 2 s, under 150 MB: {'met' if ok else 'NOT met'}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
