"""Who may do what: the one table, WHO_MAY, and how a person stands to a plan.

Every permission rule of the product is a row of WHO_MAY: an action and the
relations that allow it. A relation is how an official stands to the object
acted on (a plan, a task of it); `plan_relations` here and
`tasks.access.relations` compute them, and the services ask `allows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from plans.models import Level, Official, Plan


class Rel(StrEnum):
    """How an official stands to a plan or one of its tasks."""

    ADMIN = "admin"
    COMMITTEE = "committee"  # a steering-committee member
    PLAN_HEAD = "plan_head"  # the head of the unit that issued the plan
    PROVINCE_HEAD = "province_head"  # the plan's head, whose unit is of the province level
    LEAD_HEAD = "lead_head"  # the head of the task's lead unit
    # The head of a unit above the lead unit, up to the plan's own unit (or, for a
    # task led from outside the plan's reach, the lead unit's own head and every
    # head above it): who answers for what the task does to the lead unit's score.
    LEAD_CHAIN_HEAD = "lead_chain_head"
    PARTNER_HEAD = "partner_head"  # the head of one of the task's cooperating units
    # Who keeps a task's deadline: the plan's head for a task of the plan, the
    # head of the unit leading the parent for a subtask (docs/tasks.md, deadlines).
    DEADLINE_KEEPER = "deadline_keeper"
    ASSIGNEE = "assignee"  # named on the task
    MEMBER = "member"  # works in the unit the action is about (head or official)
    UNIT_HEAD = "unit_head"  # heads the unit the action is about


class Action(StrEnum):
    """Everything a person can ask the product to change."""

    # the organisation and plans
    MANAGE_ORGANISATION = "manage_organisation"  # units, officials and their logins
    LIFT_LOCK = "lift_lock"  # lift a sign-in lock (the security log records it)
    READ_HEALTH = "read_health"  # /health/ in full: each process's pid and last exit
    MANAGE_PLAN = "manage_plan"  # create, edit, issue, close a plan and its indicators
    ISSUE_PROVINCE_PLAN = "issue_province_plan"  # a plan without parent: the dashboards' plan
    CREATE_TASK = "create_task"
    SCORE = "score"  # recompute scores, enter an appraiser's points
    READ_SCORES = "read_scores"  # every unit's score parts, their whys, the appraisers' comments
    READ_UNIT_SCORE = "read_unit_score"  # one's own unit's score parts and their whys
    PUBLISH_RANKING = "publish_ranking"  # open a plan's ranking table to everyone
    REPORT_FIGURE = "report_figure"  # an indicator's figure for a unit
    # dashboards, reports, task results, the review queue, the annual assessment
    READ_OVERVIEW = "read_overview"  # the province's dashboards and every unit's page
    READ_UNIT_DASHBOARD = "read_unit_dashboard"  # one unit's dashboard
    READ_REPORT = "read_report"  # a plan's periodic CCHC report, whole
    READ_UNIT_REPORT = "read_unit_report"  # one unit's share of that report
    READ_RESULTS = "read_results"  # a unit's officials' task results (Decree 335)
    ASSESS_RESULTS = "assess_results"  # objective marks, general points, recomputation
    REVIEW_QUEUE = "review_queue"  # the queue of work to review and requests to decide
    READ_SHEET = "read_sheet"  # a unit's self-assessment sheet and its evidence
    EDIT_SHEET = "edit_sheet"  # its lines: self-assessed points, evidence
    SUBMIT_SHEET = "submit_sheet"  # hand it to the appraisal council
    APPRAISE = "appraise"  # the council: open, appraise, return, publish
    RECORD_UNIT_PLAN = "record_unit_plan"  # a unit's own plan implementing the province's
    # tasks
    EDIT = "edit"  # title, description, area, sub-criterion, deliverable
    MOVE_DEADLINE = "move_deadline"
    REASSIGN = "reassign"  # hand the task to another lead unit
    NAME_PARTNERS = "name_partners"  # choose the cooperating units
    ASSIGN = "assign"  # name officials, each head for their own unit
    ADD_SUBTASK = "add_subtask"
    START = "start"
    ADD_EVIDENCE = "add_evidence"
    REMOVE_EVIDENCE = "remove_evidence"
    SUBMIT = "submit"
    REVIEW = "review"
    CANCEL = "cancel"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"


def _rels(*rels: Rel) -> frozenset[Rel]:
    return frozenset(rels)


# The one table (docs/architecture.md, docs/tasks.md):
# - admin: everything;
# - the steering committee: reads everything, scores;
# - the head of the plan's unit: the plan, its tasks anywhere in it, their
#   deadlines, lead and cooperating units, cancelling;
# - the heads above a task's lead unit (tasks.access.lead_chain): move its
#   deadline or cancel it, so that work that lowers a unit's score can always
#   be undone by those who answer for that unit;
# - the head of the lead unit: edits its tasks (not their deadline, lead unit or
#   cooperating units), breaks them into subtasks, assigns its own officials,
#   reviews, may do the assignees' work itself;
# - who keeps a task's deadline (the plan's head; for a subtask, the head of
#   the unit leading its parent) decides requests for more time, never their
#   own: nobody grants themselves an extension;
# - the head of a cooperating unit: assigns its own officials;
# - assignees: start, add and remove evidence, submit, ask for more time;
# - a unit's head and officials: report their unit's indicator figures, read
#   their unit's score parts; every unit's parts and the appraisers' comments
#   are the committee's (and admin's); the ranking table (points, index, rank,
#   group) is everyone's once the committee makes it public on the plan;
# - the dashboards and the periodic reports: the committee and admins every
#   unit's, a unit's head their own unit's;
# - task results: a unit's head, the committee and admins read the unit's
#   (each official reads their own); the head (or an admin) marks, enters and
#   recomputes;
# - the review queue: heads, of their own unit's work; admins, all of it;
# - a unit's own plan: its head records it;
# - the annual assessment: a unit's people read and fill their sheet, its head
#   submits it; the council (committee and admins) reads every sheet and appraises.
WHO_MAY: dict[Action, frozenset[Rel]] = {
    Action.MANAGE_ORGANISATION: _rels(Rel.ADMIN),
    Action.LIFT_LOCK: _rels(Rel.ADMIN),
    Action.READ_HEALTH: _rels(Rel.ADMIN),
    Action.MANAGE_PLAN: _rels(Rel.ADMIN, Rel.PLAN_HEAD),
    Action.ISSUE_PROVINCE_PLAN: _rels(Rel.ADMIN, Rel.PROVINCE_HEAD),
    Action.CREATE_TASK: _rels(Rel.ADMIN, Rel.PLAN_HEAD),
    Action.SCORE: _rels(Rel.ADMIN, Rel.COMMITTEE),
    Action.READ_SCORES: _rels(Rel.ADMIN, Rel.COMMITTEE),
    Action.READ_UNIT_SCORE: _rels(Rel.ADMIN, Rel.COMMITTEE, Rel.MEMBER),
    Action.PUBLISH_RANKING: _rels(Rel.ADMIN, Rel.COMMITTEE),
    Action.REPORT_FIGURE: _rels(Rel.ADMIN, Rel.MEMBER),
    Action.READ_OVERVIEW: _rels(Rel.ADMIN, Rel.COMMITTEE),
    Action.READ_UNIT_DASHBOARD: _rels(Rel.ADMIN, Rel.COMMITTEE, Rel.UNIT_HEAD),
    Action.READ_REPORT: _rels(Rel.ADMIN, Rel.COMMITTEE),
    Action.READ_UNIT_REPORT: _rels(Rel.ADMIN, Rel.COMMITTEE, Rel.UNIT_HEAD),
    Action.READ_RESULTS: _rels(Rel.ADMIN, Rel.COMMITTEE, Rel.UNIT_HEAD),
    Action.ASSESS_RESULTS: _rels(Rel.ADMIN, Rel.UNIT_HEAD),
    Action.REVIEW_QUEUE: _rels(Rel.ADMIN, Rel.UNIT_HEAD),
    Action.READ_SHEET: _rels(Rel.ADMIN, Rel.COMMITTEE, Rel.MEMBER),
    Action.EDIT_SHEET: _rels(Rel.MEMBER),
    Action.SUBMIT_SHEET: _rels(Rel.UNIT_HEAD),
    Action.APPRAISE: _rels(Rel.ADMIN, Rel.COMMITTEE),
    Action.RECORD_UNIT_PLAN: _rels(Rel.UNIT_HEAD),
    Action.EDIT: _rels(Rel.ADMIN, Rel.PLAN_HEAD, Rel.LEAD_HEAD),
    Action.MOVE_DEADLINE: _rels(Rel.ADMIN, Rel.PLAN_HEAD, Rel.LEAD_CHAIN_HEAD),
    Action.REASSIGN: _rels(Rel.ADMIN, Rel.PLAN_HEAD),
    Action.NAME_PARTNERS: _rels(Rel.ADMIN, Rel.PLAN_HEAD),
    Action.ASSIGN: _rels(Rel.ADMIN, Rel.PLAN_HEAD, Rel.LEAD_HEAD, Rel.PARTNER_HEAD),
    Action.ADD_SUBTASK: _rels(Rel.ADMIN, Rel.PLAN_HEAD, Rel.LEAD_HEAD),
    Action.START: _rels(Rel.ADMIN, Rel.LEAD_HEAD, Rel.ASSIGNEE),
    Action.ADD_EVIDENCE: _rels(Rel.ADMIN, Rel.LEAD_HEAD, Rel.ASSIGNEE),
    Action.REMOVE_EVIDENCE: _rels(Rel.ADMIN, Rel.LEAD_HEAD, Rel.ASSIGNEE),
    Action.SUBMIT: _rels(Rel.ADMIN, Rel.LEAD_HEAD, Rel.ASSIGNEE),
    Action.REVIEW: _rels(Rel.ADMIN, Rel.LEAD_HEAD),
    Action.CANCEL: _rels(Rel.ADMIN, Rel.PLAN_HEAD, Rel.LEAD_CHAIN_HEAD),
    Action.REQUEST_EXTENSION: _rels(Rel.ADMIN, Rel.ASSIGNEE),
    Action.DECIDE_EXTENSION: _rels(Rel.ADMIN, Rel.DEADLINE_KEEPER),
}


# The actions on the organisation and on a plan as a whole; the rest are a task's
# (tasks.access.ALLOWED_FROM gives the states each starts from).
PLAN_ACTIONS = frozenset(
    {
        Action.MANAGE_ORGANISATION,
        Action.LIFT_LOCK,
        Action.READ_HEALTH,
        Action.MANAGE_PLAN,
        Action.ISSUE_PROVINCE_PLAN,
        Action.CREATE_TASK,
        Action.SCORE,
        Action.READ_SCORES,
        Action.READ_UNIT_SCORE,
        Action.PUBLISH_RANKING,
        Action.REPORT_FIGURE,
    }
)
# The actions on a unit's work as a whole.
UNIT_ACTIONS = frozenset(
    {
        Action.READ_OVERVIEW,
        Action.READ_UNIT_DASHBOARD,
        Action.READ_REPORT,
        Action.READ_UNIT_REPORT,
        Action.READ_RESULTS,
        Action.ASSESS_RESULTS,
        Action.REVIEW_QUEUE,
        Action.READ_SHEET,
        Action.EDIT_SHEET,
        Action.SUBMIT_SHEET,
        Action.APPRAISE,
        Action.RECORD_UNIT_PLAN,
    }
)


def allows(action: Action, rel: frozenset[Rel]) -> bool:
    """Whether any of these relations allows the action (states aside)."""
    return bool(WHO_MAY[action] & rel)


def role_relations(official: Official) -> set[Rel]:
    """What the role alone gives, whatever the object."""
    found: set[Rel] = set()
    if official.is_admin:
        found.add(Rel.ADMIN)
    if official.is_committee:
        found.add(Rel.COMMITTEE)
    return found


def heads_unit(official: Official, unit_id: int | None) -> bool:
    return official.is_head and unit_id is not None and official.unit_id == unit_id


def plan_relations(official: Official, unit_id: int | None) -> frozenset[Rel]:
    """How an official stands to the plan issued by unit_id (a plan's, or one to create)."""
    found = role_relations(official)
    if heads_unit(official, unit_id):
        found.add(Rel.PLAN_HEAD)
        if official.unit is not None and official.unit.level == Level.PROVINCE:
            found.add(Rel.PROVINCE_HEAD)
    return frozenset(found)


def unit_relations(official: Official, unit_id: int | None) -> frozenset[Rel]:
    """How an official stands to a unit: their role, one of its people, its head."""
    found = role_relations(official)
    if unit_id is not None and official.unit_id == unit_id:
        if official.is_head or official.is_plain_official:
            found.add(Rel.MEMBER)
        if official.is_head:
            found.add(Rel.UNIT_HEAD)
    return frozenset(found)


def may_on_unit(official: Official, action: Action, unit_id: int | None) -> bool:
    """Whether the official may do the action on that unit's work (None: on no unit's)."""
    return allows(action, unit_relations(official, unit_id))


def may_anywhere(official: Official, action: Action) -> bool:
    """Whether the role alone allows the action, on every unit's work."""
    return allows(action, frozenset(role_relations(official)))


def may_on_plan(official: Official, action: Action, plan: Plan) -> bool:
    return allows(action, plan_relations(official, plan.unit_id))


def may_score(official: Official) -> bool:
    """Recomputing scores and entering an appraiser's points: administrators and the committee."""
    return may_anywhere(official, Action.SCORE)


@dataclass(frozen=True)
class ScoreReach:
    """What of a plan's scores an official reads (the score page, its workbook, the API)."""

    every_unit: bool  # every unit's parts, their whys, the appraisers' comments
    own_unit: int | None  # the unit whose parts one reads as its member
    ranking: bool  # every unit's line of the ranking: points, index, rank, group

    def detailed(self, unit_id: int) -> bool:
        """Whether the unit's parts and whys are shown."""
        return self.every_unit or unit_id == self.own_unit

    def shows(self, unit_id: int) -> bool:
        """Whether the unit's line is shown at all."""
        return self.ranking or self.detailed(unit_id)


def score_reach(official: Official, plan: Plan) -> ScoreReach:
    """The committee and admins read everything; a unit's people their own unit's parts;
    everyone the ranking table once the committee has made it public (Plan.ranking_public)."""
    every = may_anywhere(official, Action.READ_SCORES)
    own = (
        official.unit_id
        if official.unit_id is not None
        and allows(Action.READ_UNIT_SCORE, unit_relations(official, official.unit_id))
        else None
    )
    return ScoreReach(every, own, every or plan.ranking_public)


def may_publish_ranking(official: Official) -> bool:
    return may_anywhere(official, Action.PUBLISH_RANKING)
