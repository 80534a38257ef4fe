"""The ground floor's models: who plans, what they plan, how it is scored, the audit trail."""

from plans.models.audit import (
    ACTION_LABELS,
    FIELD_LABELS,
    AuditEvent,
    AuditEventQuerySet,
    record,
)
from plans.models.organisation import (
    ApiToken,
    Level,
    Official,
    OfficialQuerySet,
    Role,
    TimeStamped,
    Unit,
    UnitQuerySet,
    levels_in_use,
)
from plans.models.plans import (
    DEFAULT_AREAS,
    Area,
    Indicator,
    IndicatorTarget,
    Measurement,
    Plan,
    PlanStatus,
)
from plans.models.scores import (
    Criterion,
    IndexSet,
    ManualScore,
    ScoreRequest,
    ScoreSnapshot,
    SubCriterion,
    subcriterion_code,
)
from plans.models.security import IdempotentRequest, LoginLock, SecurityEvent, SecurityKind

__all__ = [
    "ACTION_LABELS",
    "DEFAULT_AREAS",
    "FIELD_LABELS",
    "ApiToken",
    "Area",
    "AuditEvent",
    "AuditEventQuerySet",
    "Criterion",
    "IdempotentRequest",
    "IndexSet",
    "Indicator",
    "IndicatorTarget",
    "Level",
    "LoginLock",
    "ManualScore",
    "Measurement",
    "Official",
    "OfficialQuerySet",
    "Plan",
    "PlanStatus",
    "Role",
    "ScoreRequest",
    "ScoreSnapshot",
    "SecurityEvent",
    "SecurityKind",
    "SubCriterion",
    "TimeStamped",
    "Unit",
    "UnitQuerySet",
    "levels_in_use",
    "record",
    "subcriterion_code",
]
