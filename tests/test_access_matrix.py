"""Access control as a matrix (issue 8): every route of the app's URL map × every role, deny by default.

A route in `app.url_map` without a row in EXPECTED fails `test_every_route_has_a_rule`, naming it. Each row
says, per role, what a real request gets (see SPEC). The objects in the URLs belong to 云乐镇 and are made
afresh for each case, so a case that succeeds (and changes something) never changes what another sees.
One app, one world and one login per role serve the whole module.
"""
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import pytest
from flask import url_for
from sqlalchemy import select

import config
from tests.conftest import TODAY, _empty_tables
from tests.factories import PASSWORD, World, build_world, csrf_token
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEntry, Organisation, Plan, PlanTask
from tracker.services.people import throttle, users

DATA = __import__("pathlib").Path(__file__).resolve().parent / "data" / "import"
ROLES = ("office", "leader", "cadre", "viewer", "other_office", "anonymous")
LETTERS = {"O": "office", "L": "leader", "C": "cadre", "V": "viewer", "X": "other_office", "A": "anonymous",
           "K": "county_office"}
# +: allowed (2xx, or a redirect that is neither to the login page nor with an error message)
# 3: 403   4: 404 (the app hides that the object exists)   f: refused with an error message after a redirect
# l: sent to the login page
# Anonymous is left out where it must be refused: pages redirect to the login page, the API answers 401.
# K (县 committee, the only calendar keeper) is named only where it is the one allowed.
SPEC = {"+": "ok", "3": "403", "4": "404", "f": "flash", "l": "login"}

EXPECTED = {
    # endpoint, method                          O  L  C  V  X  [A] [K]
    ("auth.login", "GET"):                      "O+ L+ C+ V+ X+ A+",
    ("auth.login", "POST"):                     "O+ L+ C+ V+ X+ A+",
    ("auth.logout", "POST"):                    "Ol Ll Cl Vl Xl Al",
    ("home.index", "GET"):                      "O+ L+ C+ V+ X+",
    ("help.index", "GET"):                      "O+ L+ C+ V+ X+",
    ("help.page", "GET"):                       "O+ L+ C+ V+ X+",
    ("dashboard.index", "GET"):                 "O+ L+ C3 V+ X+",
    ("review.index", "GET"):                    "O+ L+ C3 V3 X+",
    ("task_pages.index", "GET"):                "O+ L+ C+ V+ X+",
    ("task_pages.detail", "GET"):               "O+ L+ C+ V+ X4",
    ("task_pages.evidence", "GET"):             "O+ L+ C+ V+ X4",
    ("task_pages.thumbnail", "GET"):            "O+ L+ C+ V+ X4",
    ("task_pages.progress_form", "GET"):        "O+ L3 C+ V3 X4",
    ("task_pages.progress_form", "POST"):       "O+ L3 C+ V3 X4",
    ("task_pages.complete", "POST"):            "O3 L3 C+ V3 X4",
    ("task_pages.extend", "POST"):              "O3 L3 C+ V3 X4",
    ("task_pages.review", "POST"):              "O+ L+ C3 V3 X4",
    ("task_pages.cancel", "POST"):              "O+ L3 C3 V3 X4",
    ("task_pages.assign", "POST"):              "O+ L3 C3 V3 X4",
    ("task_pages.edit", "GET"):                 "O+ L3 C3 V3 X4",
    ("task_pages.edit", "POST"):                "O+ L3 C3 V3 X4",
    ("task_pages.correct", "GET"):              "O+ L3 C+ V3 X4",
    ("task_pages.acknowledge", "POST"):         "O3 L3 C+ V3 X4",
    ("task_pages.correct", "POST"):             "O+ L3 C+ V3 X4",
    ("task_pages.targets_form", "GET"):         "O+ L+ C3 V3 X4",
    ("task_pages.targets_form", "POST"):        "O+ L+ C3 V3 X4",
    ("plans.new_plan", "GET"):                  "O+ L3 C3 V3 X+",
    ("plans.new_plan", "POST"):                 "O+ L3 C3 V3 X+",
    ("plans.index", "GET"):                     "O+ L+ C+ V+ X+",
    ("plans.bulk_assign", "POST"):              "O+ L3 C3 V3 X4",
    ("plans.new_task", "GET"):                  "O+ L3 C3 V3 X4",
    ("plans.new_task", "POST"):                 "O+ L3 C3 V3 X4",
    ("plans.split", "GET"):                     "O+ L3 C3 V3 X4",
    ("plans.split", "POST"):                    "O+ L3 C3 V3 X4",
    ("plans.carry_over", "GET"):                "O+ L3 C3 V3 X4",
    ("plans.carry_over", "POST"):               "O+ L3 C3 V3 X4",
    ("plans.carried", "GET"):                   "O+ L3 C3 V3 X4",
    ("plans.undo", "POST"):                     "O+ L3 C3 V3 X4",
    ("exports.index", "GET"):                   "O+ L+ C+ V+ X+",
    ("exports.plan", "GET"):                    "O+ L+ C+ V+ X4",
    ("exports.ledger_csv", "GET"):              "O+ L+ C+ V+ X4",
    ("exports.ledger_xlsx", "GET"):             "O+ L+ C+ V+ X4",
    ("exports.request_pack", "POST"):           "O+ L+ C+ V+ X4",
    ("exports.pack", "GET"):                    "O+ L4 C4 V4 X4",    # a pack is its requester's own
    ("exports.pack_download", "GET"):           "O+ L4 C4 V4 X4",
    ("exports.calendar_page", "GET"):           "O+ L+ C+ V+ X+",
    ("exports.calendar_change", "POST"):        "O+ L3 C3 V+ X+",    # the organisation-wide feed (never offered)
    ("calendar_feeds.feed", "GET"):             "O+ L+ C+ V+ X+ A+",  # the secret address is the credential
    ("imports.index", "GET"):                   "O+ L3 C3 V3 X+",
    ("imports.index", "POST"):                  "O+ L3 C3 V3 X+",
    ("imports.review", "GET"):                  "O+ L3 C3 V3 X4",
    ("imports.review", "POST"):                 "O+ L3 C3 V3 X4",
    ("imports.discard", "POST"):                "O+ L3 C3 V3 X4",
    ("reminders.index", "GET"):                   "O+ L+ C+ V+ X+",
    ("reminders.read", "POST"):                   "O4 L4 C+ V4 X4",    # the cadre's own notice
    ("reminders.read_all", "POST"):               "O+ L+ C+ V+ X+",
    ("reminders.my_settings", "GET"):             "O+ L+ C+ V+ X+",
    ("reminders.my_settings", "POST"):            "O+ L+ C+ V+ X+",
    ("reminders.urge", "GET"):                    "O+ L+ C+ V+ X4",
    ("reminders.urge", "POST"):                   "O+ L+ C3 V3 X4",
    ("reminders.reminder_log", "GET"):            "O+ L3 C3 V3 X+",
    ("reminders.retry", "POST"):                  "O+ L3 C3 V3 X+",
    ("reminders.rules_page", "GET"):              "O+ L3 C3 V3 X+",
    ("reminders.rules_page", "POST"):             "O+ L3 C3 V3 X+",
    ("reminders.org_channels", "POST"):           "O+ L3 C3 V3 X+",
    ("reminders.recurring_page", "GET"):          "O+ L3 C3 V3 X+",
    ("reminders.recurring_page", "POST"):         "O+ L3 C3 V3 X+",
    ("reminders.calendar_page", "GET"):           "O3 L3 C3 V3 X3 K+",  # only the top-level committee
    ("reminders.calendar_page", "POST"):          "O3 L3 C3 V3 X3 K+",
    ("reminders.calendar_delete", "POST"):        "O3 L3 C3 V3 X3 K+",
    ("reminders.calendar_confirm", "POST"):       "O3 L3 C3 V3 X3 K+",
    ("reports.index", "GET"):                   "O+ L+ C3 V+ X+",
    ("reports.generate", "POST"):               "O+ L3 C3 V3 X4",
    ("reports.download", "GET"):                "O+ L+ C3 V+ X4",
    ("reports.section", "GET"):                 "O+ L+ C3 V+ X4",
    ("reports.section", "POST"):                "O+ L3 C3 V3 X4",
    ("reports.revert", "POST"):                 "O+ L3 C3 V3 X4",
    ("reports.choices_page", "GET"):            "O+ L+ C3 V+ X4",
    ("reports.summary", "POST"):                "O+ L3 C3 V3 X4",
    ("reports.cause", "POST"):                  "O+ L3 C3 V3 X4",
    ("reports.baseline", "GET"):                "O+ L+ C3 V+ X4",
    ("reports.baseline_add", "POST"):           "O+ L3 C3 V3 X4",
    ("reports.baseline_extract", "POST"):       "O+ L3 C3 V3 X4",
    ("reports.baseline_save", "POST"):          "O+ L3 C3 V3 X4",
    ("reports.baseline_delete", "POST"):        "O+ L3 C3 V3 X4",
    ("reports.catalogue_page", "GET"):          "O+ L+ C3 V+ X4",
    ("reports.catalogue_page", "POST"):         "O+ L3 C3 V3 X4",
    ("reports.catalogue_toggle", "POST"):       "O+ L3 C3 V3 X4",
    ("reports.template_page", "GET"):           "O+ L+ C3 V+ X4",
    ("reports.template_page", "POST"):          "O+ L3 C3 V3 X4",
    # 报送 and 退回 (issue 17.6): a township sends its own; only the county decides (the township never its own).
    ("reports.submit", "POST"):                 "O+ L3 C3 V3 X4",
    ("reports.submissions_page", "GET"):        "O+ L3 C3 V+ X+",
    ("reports.submission_figures", "GET"):      "O+ L3 C3 V+ X+",
    ("reports.submission_detail", "GET"):       "O+ L+ C3 V+ X4",
    ("reports.submission_docx", "GET"):         "O+ L+ C3 V+ X4",
    ("reports.return_submission", "POST"):      "O3 L3 C3 V3 X4 K+",
    ("reports.accept_submission", "POST"):      "O3 L3 C3 V3 X4 K+",
    ("users_admin.index", "GET"):               "O+ L3 C3 V3 X+",
    ("users_admin.new", "GET"):                 "O+ L3 C3 V3 X+",
    ("users_admin.new", "POST"):                "O+ L3 C3 V3 X+",
    ("users_admin.detail", "GET"):              "O+ L3 C3 V3 X4",
    ("users_admin.role", "POST"):               "O+ L3 C3 V3 X4",
    ("users_admin.profile", "POST"):            "O+ L3 C3 V3 X4",
    ("users_admin.password", "POST"):           "O+ L3 C3 V3 X4",
    ("users_admin.deactivate", "POST"):         "O+ L3 C3 V3 X4",
    ("users_admin.end_sessions", "POST"):       "O+ L3 C3 V3 X4",
    ("users_admin.unlock", "POST"):             "O+ L3 C3 V3 X4",
    ("account.index", "GET"):                   "O+ L+ C+ V+ X+",
    ("account.edit_contact", "POST"):           "O+ L+ C+ V+ X+",
    ("users_admin.contact", "POST"):            "O+ L3 C3 V3 X4",
    ("account.password", "POST"):               "O+ L+ C+ V+ X+",
    # The API: anonymous gets 401 JSON unless the operation is public.
    ("api.openapi", "GET"):                     "O+ L+ C+ V+ X+ A+",
    ("api.create_token", "POST"):               "O+ L+ C+ V+ X+ A+",
    ("api.delete_token", "DELETE"):             "O+ L+ C+ V+ X+",
    ("api.get_catalogue", "GET"):               "O+ L+ C+ V+ X+",
    ("api.list_notifications", "GET"):          "O+ L+ C+ V+ X+",
    ("api.read_notification", "POST"):          "O4 L4 C+ V4 X4",
    ("api.list_plans", "GET"):                  "O+ L+ C+ V+ X+",
    ("api.get_plan", "GET"):                    "O+ L+ C+ V+ X4",
    ("api.carry_over", "POST"):                 "O+ L3 C3 V3 X4",
    ("api.undo_carry_over", "POST"):            "O+ L3 C3 V3 X4",
    ("api.list_tasks", "GET"):                  "O+ L+ C+ V+ X+",
    ("api.create_task", "POST"):                "O+ L3 C3 V3 X4",
    ("api.get_task", "GET"):                    "O+ L+ C+ V+ X4",
    ("api.patch_task", "PATCH"):                "O+ L3 C3 V3 X4",
    ("api.history", "GET"):                     "O+ L+ C+ V+ X4",
    ("api.post_progress", "POST"):              "O+ L3 C+ V3 X4",
    ("api.complete_request", "POST"):           "O3 L3 C+ V3 X4",
    ("api.extension_request", "POST"):          "O3 L3 C+ V3 X4",
    ("api.review", "POST"):                     "O+ L+ C3 V3 X4",
    ("api.cancel", "POST"):                     "O+ L3 C3 V3 X4",
    ("api.urge_task", "POST"):                  "O+ L+ C3 V3 X4",
    ("api.acknowledge_task", "POST"):           "O3 L3 C+ V3 X4",
    ("api.task_urges", "GET"):                  "O+ L+ C+ V+ X4",
    ("api.download_evidence", "GET"):           "O+ L+ C+ V+ X4",
    # Rankings by owner (issue 17.4): the organisation's committee and leaders and the county; cadres by unit only.
    ("api.list_rankings", "GET"):               "O+ L+ C3 V+ X4",
    ("bulletins.index", "GET"):                 "O+ L+ C3 V+ X4",
    ("bulletins.download", "GET"):              "O+ L+ C3 V+ X4",
    # 督办单 (issue 17.3): the committee of the task's organisation or of one above it issues; the owner answers.
    ("supervision.issue", "GET"):               "O+ L3 C3 V3 X4 K+",
    ("supervision.issue", "POST"):              "O+ L3 C3 V3 X4 K+",
    ("supervision.index", "GET"):               "O+ L+ C+ V+ X+",
    ("supervision.detail", "GET"):              "O+ L+ C+ V+ X4",
    ("supervision.answer", "POST"):             "O3 L3 C+ V3 X4",
    ("supervision.download", "GET"):            "O+ L+ C+ V+ X4",
    ("supervision.short_name", "POST"):          "O+ L3 C3 V3 X+",    # one's own organisation's 简称
    ("api.issue_supervision", "POST"):          "O+ L3 C3 V3 X4 K+",
    ("api.list_supervisions", "GET"):           "O+ L+ C+ V+ X+",
    ("api.get_supervision", "GET"):             "O+ L+ C+ V+ X4",
    ("api.answer_supervision", "POST"):         "O3 L3 C+ V3 X4",
    ("api.supervision_notice", "GET"):          "O+ L+ C+ V+ X4",
    ("api.submit_report", "POST"):              "O+ L3 C3 V3 X+",    # X sends 白地镇's own
    ("api.list_reports", "GET"):                "O+ L3 C3 V+ X+",
    ("api.get_report", "GET"):                  "O+ L+ C3 V+ X4",
    ("api.report_docx", "GET"):                 "O+ L+ C3 V+ X4",
    ("api.return_report", "POST"):              "O3 L3 C3 V3 X4 K+",
    ("api.accept_report", "POST"):              "O3 L3 C3 V3 X4 K+",
    # 上级交办 (issue 17.5): the county's committee issues; the receiving township's committee decides.
    ("directives.index", "GET"):                "O+ L+ C+ V+ X+",
    ("directives.new", "GET"):                  "O+ L3 C3 V3 X+",   # a township's committee: nothing below it
    ("directives.new", "POST"):                 "O3 L3 C3 V3 X3 K+",  # to itself, or to a sibling: refused
    ("directives.accept", "POST"):              "O+ L3 C3 V3 X4",
    ("directives.decline", "POST"):             "O+ L3 C3 V3 X4",
    ("api.issue_assignment", "POST"):           "O3 L3 C3 V3 X3 K+",
    ("api.list_assignments", "GET"):            "O+ L+ C+ V+ X+",
    ("api.accept_assignment", "POST"):          "O+ L3 C3 V3 X4",
    ("api.decline_assignment", "POST"):         "O+ L3 C3 V3 X4",
}


def _expectations(endpoint: str, method: str) -> dict[str, str]:
    """Role → outcome for one row; anonymous is refused unless the row says otherwise."""
    found = {LETTERS[item[0]]: SPEC[item[1]] for item in EXPECTED[(endpoint, method)].split()}
    found.setdefault("anonymous", "401" if endpoint.startswith("api.") else "login")
    return found


def _app_routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def _cases():
    return [pytest.param(endpoint, method, role, id=f"{endpoint}-{method}-{role}")
            for (endpoint, method) in sorted(EXPECTED) for role in _expectations(endpoint, method)]


# --- the objects the URLs point at, made on first use in each case --------------------------------------

def _png() -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@dataclass
class Stage:
    """Fresh objects of 云乐镇 for one case; properties create them when a URL first needs them."""

    world: object

    def _user(self, username):
        return users.get_user(username)

    @cached_property
    def town(self) -> Organisation:
        return self.world.plan.org

    @cached_property
    def task(self):
        return self.world.task(title="矩阵测试任务")

    @cached_property
    def draft_task(self):
        return self.world.task(title="矩阵测试草稿", owner=None, co_owners=[], due_date=None)

    @cached_property
    def pending_task(self):
        from tracker.services.tasks import requests
        task = self.world.task(title="矩阵测试待审")
        requests.request_completion(self._user("cadre"), task, "已完成")
        db.session.commit()
        return task

    @cached_property
    def evidence_id(self) -> int:
        from tracker.services.tasks import progress
        from tracker.services.tasks.evidence import IncomingFile
        update = progress.record_progress(self._user("cadre"), self.task, percent=30, note="已开展",
                                          files=[IncomingFile("现场.png", _png())])
        db.session.commit()
        return update.evidence[0].id

    @cached_property
    def update_id(self) -> int:
        """The cadre's update with a figure, for 更正."""
        from tracker.services.tasks import progress
        update = progress.record_progress(self._user("cadre"), self.task, percent=30, note="宣讲3次",
                                          metrics=[{"name": "普法宣讲", "value": 3, "unit": "次"}])
        db.session.commit()
        return update.id

    @cached_property
    def notification_id(self) -> int:
        """A 催办 notice addressed to the cadre."""
        from tracker.services.reminders import immediate
        notices = immediate.urge(self._user("office"), self.task, "请抓紧")
        db.session.commit()
        return next(n.id for n in notices if n.recipient_id == self._user("cadre").id)

    @cached_property
    def pack_id(self) -> int:
        from tracker.services.exporting import evidence_pack
        job = evidence_pack.request_pack(self._user("office"), self.world.plan, "plan")
        db.session.commit()
        evidence_pack.build_pack(job, db.session.commit)
        db.session.commit()
        return job.id

    @cached_property
    def feed_token(self) -> str:
        from tracker.services.exporting import calendar
        feed = calendar.renew_feed(self._user("cadre"), "personal")
        db.session.commit()
        return feed.token

    @cached_property
    def import_id(self) -> int:
        from tracker.services.importing import sessions
        # 2031: a year no other case makes a plan for (a report for a year with a plan is refused at upload).
        session = sessions.start_import(self._user("office"), "township_theme_chars.txt",
                                        (DATA / "township_theme_chars.txt").read_bytes(), 2031)
        db.session.commit()
        return session.id

    @cached_property
    def section_key(self) -> str:
        from tracker.services.reporting import draft
        made = draft.generate(self._user("office"), self.town, 2026, TODAY)
        db.session.commit()
        return made.sections[0].key

    @cached_property
    def summary_task_id(self) -> int:
        """A task of the draft without 办结情况 (made before the draft, so the draft holds it)."""
        task_id = self.task.id
        assert self.section_key
        return task_id

    @property
    def draft_generation(self) -> str:
        """The draft's generation as the report page shows it (the optimistic lock of 摘要 and 原因)."""
        from tracker.services.reporting import draft
        assert self.section_key
        return str(draft.load_draft(self.town, 2026).generation)

    @cached_property
    def figure_id(self) -> int:
        from tracker.services.reporting import baseline
        saved = baseline.save_baseline(self._user("office"), self.town, 2025, [
            {"name": "普法宣讲", "value": 7, "unit": "次", "is_approximate": False, "report_section": 5,
             "source": "手工录入"}])
        db.session.commit()
        return saved[0].id

    @cached_property
    def catalogue_id(self) -> int:
        from tracker.services.figures import catalogue
        items = catalogue.catalogue_for(self.town)
        db.session.commit()
        return items[0].id

    @cached_property
    def member_id(self) -> int:
        """A colleague in 云乐镇 for the user-management pages to act on."""
        member = users.create_user(username=f"member{self.task.id}", org=self.town, role="cadre",
                                   name="矩阵成员", password=PASSWORD)
        db.session.commit()
        return member.id

    @cached_property
    def carry_id(self) -> int:
        """A carry-over of a task of its own into 2027, nothing changed since, so it can be undone."""
        from tracker.services.plans import carry_over
        task = self.world.task(title="矩阵测试结转")
        record = carry_over.carry_over(self._user("office"), self.world.plan, [task.id])
        db.session.commit()
        return record.id

    @cached_property
    def supervision_id(self) -> int:
        """A 督办单 the county issued on the task."""
        from tracker.services.supervision import verbs
        item = verbs.issue(self._user("county_office"), self.task, "请抓紧推进", 3)
        db.session.commit()
        return item.id

    @cached_property
    def directive_id(self) -> int:
        """Work the county issued to 云乐镇, still waiting to be accepted or declined."""
        from tracker.services.directives import verbs
        made = verbs.issue(self._user("county_office"), self.town, {
            "title": "矩阵测试交办", "due_date": "2026-12-10", "year": 2026})
        db.session.commit()
        return made.id

    @cached_property
    def theme_id(self) -> int:
        return self.world.plan.theme_by_key("法").id

    @cached_property
    def override_id(self) -> int:
        from tracker.services.calendar import overrides as calendar
        row = calendar.set_override(self._user("county_office"), date(2027, 3, 1 + self.task.id % 28), False, "测试")
        db.session.commit()
        return row.id

    @cached_property
    def unsubmitted(self) -> int:
        """云乐镇's 2026 report not yet sent up (earlier cases' versions removed), so a submission is allowed."""
        from tracker.models import ReportSubmission
        db.session.execute(ReportSubmission.__table__.delete().where(ReportSubmission.org_id == self.town.id))
        db.session.commit()
        return 2026

    @cached_property
    def submission_id(self) -> int:
        """A version of 云乐镇's 2026 report waiting for the county."""
        from tracker.services.reporting import submission
        self.unsubmitted
        row = submission.submit(self._user("office"), self.town, 2026, TODAY)
        db.session.commit()
        return row.id


# What each route is called with: its URL parameters and, for writes, a valid body (forms or JSON).
# Valid, so that refusals made by the services (after the form is checked) are reached too.
ROUTES = {
    "auth.login": (lambda s: {}, lambda s: {"username": "cadre3", "password": PASSWORD}),
    "auth.logout": (lambda s: {}, lambda s: {}),
    "home.index": (lambda s: {}, None),
    "help.index": (lambda s: {}, None),
    "help.page": (lambda s: {"key": "cadre"}, None),
    "dashboard.index": (lambda s: {}, None),
    "review.index": (lambda s: {}, None),
    "task_pages.index": (lambda s: {}, None),
    "task_pages.detail": (lambda s: {"task_id": s.task.id}, None),
    "task_pages.evidence": (lambda s: {"evidence_id": s.evidence_id}, None),
    "task_pages.correct": (lambda s: {"task_id": s.task.id, "update_id": s.update_id},
                           lambda s: {"k-percent": "30", "k-note": "更正:宣讲实为2次", "value-0": "2"}),
    "task_pages.thumbnail": (lambda s: {"evidence_id": s.evidence_id}, None),
    "task_pages.acknowledge": (lambda s: {"task_id": s.task.id}, lambda s: {}),
    "task_pages.progress_form": (lambda s: {"task_id": s.task.id},
                                 lambda s: {"p-percent": "50", "p-note": "已完成一半"}),
    "task_pages.complete": (lambda s: {"task_id": s.task.id}, lambda s: {"c-note": "已全部完成"}),
    "task_pages.extend": (lambda s: {"task_id": s.task.id},
                          lambda s: {"x-due_date": "2027-01-29", "x-reason": "天气原因"}),
    "task_pages.review": (lambda s: {"task_id": s.pending_task.id},
                          lambda s: {"r-comment": "同意", "r-approve": "同意"}),
    "task_pages.cancel": (lambda s: {"task_id": s.task.id}, lambda s: {"k-reason": "重复任务"}),
    "task_pages.assign": (lambda s: {"task_id": s.task.id},
                          lambda s: {"a-owner": "cadre3", "a-lead": "leader", "a-due_date": "2026-12-30",
                                     "a-version": str(s.task.version)}),
    "task_pages.edit": (lambda s: {"task_id": s.task.id},
                        lambda s: {"title": "改过的任务", "theme": "法", "report_section": "5", "owner": "cadre",
                                   "lead": "leader", "unit": "司法所", "start_date": "2026-01-01",
                                   "due_date": "2026-12-31", "version": str(s.task.version)}),
    "task_pages.targets_form": (lambda s: {"task_id": s.task.id}, lambda s: {"version": str(s.task.version)}),
    "plans.new_plan": (lambda s: {}, lambda s: {"year": "2030", "title": "云乐镇2030年法治政府建设工作计划"}),
    "plans.index": (lambda s: {}, None),
    "plans.bulk_assign": (lambda s: {"plan_id": s.world.plan.id},
                          lambda s: {"b-task_ids": str(s.draft_task.id), "b-owner": "cadre", "b-lead": "leader",
                                     "b-due_date": "2026-12-20"}),
    "plans.new_task": (lambda s: {"plan_id": s.world.plan.id},
                       lambda s: {"title": "新建的任务", "theme": "实", "report_section": "3", "owner": "cadre",
                                  "lead": "leader", "unit": "党政办", "due_date": "2026-12-30"}),
    "plans.carry_over": (lambda s: {"plan_id": s.world.plan.id},
                         lambda s: {"task_ids": str(s.task.id), "confirm": "y"}),
    "plans.carried": (lambda s: {"carry_id": s.carry_id}, None),
    "plans.undo": (lambda s: {"carry_id": s.carry_id}, lambda s: {}),
    "api.carry_over": (lambda s: {"plan_id": s.world.plan.id}, lambda s: {"task_ids": [s.task.id]}),
    "api.undo_carry_over": (lambda s: {"carry_id": s.carry_id}, lambda s: {}),
    "plans.split": (lambda s: {"task_id": s.task.id},
                    lambda s: {"rows-0-title": "子任务一", "rows-0-owner": "cadre2", "rows-0-due_date": "2026-12-01"}),
    "exports.index": (lambda s: {}, None),
    "exports.plan": (lambda s: {"plan_id": s.world.plan.id}, None),
    "exports.ledger_csv": (lambda s: {"plan_id": s.world.plan.id}, None),
    "exports.ledger_xlsx": (lambda s: {"plan_id": s.world.plan.id}, None),
    "exports.request_pack": (lambda s: {"plan_id": s.world.plan.id}, lambda s: {"scope": "plan"}),
    "exports.pack": (lambda s: {"job_id": s.pack_id}, None),
    "exports.pack_download": (lambda s: {"job_id": s.pack_id}, None),
    "exports.calendar_page": (lambda s: {}, None),
    "exports.calendar_change": (lambda s: {"kind": "org", "verb": "renew"}, lambda s: {}),
    "calendar_feeds.feed": (lambda s: {"token": s.feed_token}, None),
    "imports.index": (lambda s: {}, lambda s: {
        "year": "2031", "file": ((DATA / "township_theme_chars.txt").open("rb"), "township_theme_chars.txt")}),
    "imports.review": (lambda s: {"session_id": s.import_id}, lambda s: {"action": "save"}),
    "imports.discard": (lambda s: {"session_id": s.import_id}, lambda s: {}),
    "reminders.index": (lambda s: {}, None),
    "reminders.read": (lambda s: {"notification_id": s.notification_id}, lambda s: {}),
    "reminders.read_all": (lambda s: {}, lambda s: {}),
    "reminders.my_settings": (lambda s: {}, lambda s: {"is_email_on": "y"}),
    "reminders.urge": (lambda s: {"task_id": s.task.id}, lambda s: {"message": "请本周内反馈"}),
    "reminders.reminder_log": (lambda s: {}, None),
    "reminders.retry": (lambda s: {}, lambda s: {}),
    "reminders.rules_page": (lambda s: {}, lambda s: {
        "due_soon_workdays": "3", "escalate_lead_after": "4", "escalate_committee_after": "11",
        "stalled_days": "30", "stalled_repeat_days": "7", "review_wait_workdays": "2", "digest_time": "09:00"}),
    "reminders.org_channels": (lambda s: {}, lambda s: {"ch-is_email_on": "y"}),
    "reminders.recurring_page": (lambda s: {}, lambda s: {
        "title": "每月矛盾纠纷排查", "theme": "法", "report_section": "5", "owner": "cadre", "lead": "leader",
        "unit": "司法所", "frequency": "monthly", "due_workdays": "5"}),
    "reminders.calendar_page": (lambda s: {}, lambda s: {"day": "2027-10-08", "is_workday": "off", "note": "国庆节"}),
    "reminders.calendar_delete": (lambda s: {"override_id": s.override_id}, lambda s: {}),
    "reminders.calendar_confirm": (lambda s: {}, lambda s: {"y-year": "2027"}),
    "reports.index": (lambda s: {}, None),
    "reports.generate": (lambda s: {"org_id": s.town.id, "year": 2026}, lambda s: {}),
    "reports.download": (lambda s: {"org_id": s.town.id, "year": 2026, "_": s.section_key}, None),
    "reports.section": (lambda s: {"org_id": s.town.id, "year": 2026, "key": s.section_key},
                        lambda s: {"text": "改写的一段。", "base_version": "1"}),
    "reports.revert": (lambda s: {"org_id": s.town.id, "year": 2026, "key": s.section_key}, lambda s: {}),
    "reports.choices_page": (lambda s: {"org_id": s.town.id, "year": 2026, "_": s.section_key}, None),
    "reports.summary": (lambda s: {"org_id": s.town.id, "year": 2026, "task_id": s.summary_task_id},
                        lambda s: {f"t{s.summary_task_id}-text": "矩阵摘要。",
                                   f"t{s.summary_task_id}-base_generation": s.draft_generation}),
    "reports.cause": (lambda s: {"org_id": s.town.id, "year": 2026, "kind": "overdue", "_": s.section_key},
                      lambda s: {"overdue-choice": "law", "overdue-base_generation": s.draft_generation}),
    "reports.baseline": (lambda s: {"org_id": s.town.id, "year": 2026}, None),
    "reports.baseline_add": (lambda s: {"org_id": s.town.id, "year": 2026}, lambda s: {
        "m-name": "行政许可", "m-value": "68", "m-unit": "件", "m-report_section": "3"}),
    "reports.baseline_extract": (lambda s: {"org_id": s.town.id, "year": 2026},
                                 lambda s: {"x-text": "全年办理行政许可68件,开展普法宣讲7次。"}),
    "reports.baseline_save": (lambda s: {"org_id": s.town.id, "year": 2026}, lambda s: {
        "rows-0-keep": "y", "rows-0-name": "普法宣讲", "rows-0-value": "7", "rows-0-unit": "次",
        "rows-0-source": "粘贴", "rows-0-report_section": "5"}),
    "reports.baseline_delete": (lambda s: {"org_id": s.town.id, "year": 2026, "figure_id": s.figure_id},
                                lambda s: {}),
    "reports.catalogue_page": (lambda s: {"org_id": s.town.id},
                               lambda s: {"name": f"调解案件{s.task.id}", "unit": "件", "report_section": "5"}),
    "reports.catalogue_toggle": (lambda s: {"org_id": s.town.id, "item_id": s.catalogue_id}, lambda s: {}),
    "reports.template_page": (lambda s: {"org_id": s.town.id, "year": 2026}, lambda s: {
        "addressee": "县委依法治县办:", "parts": "一、成效\n二、问题\n三、打算", "sections": "\n".join(
            f"板块{i}" for i in range(1, 8))}),
    "reports.submit": (lambda s: {"org_id": s.town.id, "year": s.unsubmitted}, lambda s: {}),
    "reports.submissions_page": (lambda s: {"year": 2026}, None),
    "reports.submission_figures": (lambda s: {"year": 2026}, None),
    "reports.submission_detail": (lambda s: {"submission_id": s.submission_id}, None),
    "reports.submission_docx": (lambda s: {"submission_id": s.submission_id}, None),
    "reports.return_submission": (lambda s: {"submission_id": s.submission_id}, lambda s: {"comment": "请补充"}),
    "reports.accept_submission": (lambda s: {"submission_id": s.submission_id}, lambda s: {}),
    "users_admin.index": (lambda s: {}, None),
    "users_admin.new": (lambda s: {}, lambda s: {"username": f"new{s.task.id}", "name": "新同事", "role": "cadre",
                                                 "password": "initial-pass-1"}),
    "users_admin.detail": (lambda s: {"user_id": s.member_id}, None),
    "users_admin.role": (lambda s: {"user_id": s.member_id}, lambda s: {"role-role": "leader"}),
    "users_admin.profile": (lambda s: {"user_id": s.member_id}, lambda s: {"pf-unit": "云乐村", "pf-post": "村主任"}),
    "users_admin.password": (lambda s: {"user_id": s.member_id}, lambda s: {"pw-password": "another-pass-2"}),
    "users_admin.deactivate": (lambda s: {"user_id": s.member_id}, lambda s: {}),
    "users_admin.end_sessions": (lambda s: {"user_id": s.member_id}, lambda s: {}),
    "users_admin.unlock": (lambda s: {"user_id": s.member_id}, lambda s: {}),
    "account.index": (lambda s: {}, None),
    "account.edit_contact": (lambda s: {}, lambda s: {"c-email": "me@yunle.gov.cn", "c-phone": ""}),
    "users_admin.contact": (lambda s: {"user_id": s.member_id}, lambda s: {"c-email": "m@yunle.gov.cn"}),
    # A wrong current password: the form answers, and the role's password stays the one the module logs in with.
    "account.password": (lambda s: {}, lambda s: {"pw-current": "not-my-pass-1", "pw-new": "Rep-pass-2024!",
                                                  "pw-confirm": "Rep-pass-2024!"}),
    "api.openapi": (lambda s: {}, None),
    "api.create_token": (lambda s: {}, lambda s: {"username": "cadre3", "password": PASSWORD}),
    "api.delete_token": (lambda s: {}, None),
    "api.get_catalogue": (lambda s: {}, None),
    "api.list_notifications": (lambda s: {}, None),
    "api.read_notification": (lambda s: {"notification_id": s.notification_id}, None),
    "api.list_plans": (lambda s: {}, None),
    "api.get_plan": (lambda s: {"plan_id": s.world.plan.id}, None),
    "api.list_tasks": (lambda s: {}, None),
    "api.create_task": (lambda s: {}, lambda s: {"plan_id": s.world.plan.id, "theme": "法", "title": "接口新建",
                                                 "report_section": 5, "owner": "cadre", "due_date": "2026-12-30"}),
    "api.get_task": (lambda s: {"task_id": s.task.id}, None),
    "api.patch_task": (lambda s: {"task_id": s.task.id}, lambda s: {"version": s.task.version, "title": "接口改名"}),
    "api.history": (lambda s: {"task_id": s.task.id}, None),
    "api.post_progress": (lambda s: {"task_id": s.task.id}, lambda s: {"percent": 60, "note": "接口反馈"}),
    "api.complete_request": (lambda s: {"task_id": s.task.id}, lambda s: {"note": "已完成"}),
    "api.extension_request": (lambda s: {"task_id": s.task.id},
                              lambda s: {"due_date": "2027-01-29", "reason": "天气原因"}),
    "api.review": (lambda s: {"task_id": s.pending_task.id}, lambda s: {"approve": True, "comment": ""}),
    "api.cancel": (lambda s: {"task_id": s.task.id}, lambda s: {"reason": "重复任务"}),
    "api.urge_task": (lambda s: {"task_id": s.task.id}, lambda s: {"message": "请抓紧"}),
    "api.acknowledge_task": (lambda s: {"task_id": s.task.id}, lambda s: {}),
    "api.task_urges": (lambda s: {"task_id": s.task.id}, None),
    "api.download_evidence": (lambda s: {"evidence_id": s.evidence_id}, None),
    "api.list_rankings": (lambda s: {"year": 2026, "by": "owner", "org": s.town.id}, None),
    "bulletins.index": (lambda s: {"year": 2026, "by": "owner", "org": s.town.id}, None),
    "bulletins.download": (lambda s: {"year": 2026, "by": "owner", "org": s.town.id, "kind": "quarter",
                                      "number": 4}, None),
    "supervision.issue": (lambda s: {"task_id": s.task.id},
                          lambda s: {"message": "请本周内报告进度", "respond_within_days": "3"}),
    "supervision.index": (lambda s: {}, None),
    "supervision.detail": (lambda s: {"supervision_id": s.supervision_id}, None),
    "supervision.answer": (lambda s: {"supervision_id": s.supervision_id}, lambda s: {"note": "已办理"}),
    "supervision.download": (lambda s: {"supervision_id": s.supervision_id}, None),
    "supervision.short_name": (lambda s: {}, lambda s: {"short_name": "云乐"}),
    "api.issue_supervision": (lambda s: {"task_id": s.task.id},
                              lambda s: {"message": "请本周内报告进度", "respond_within_days": 3}),
    "api.list_supervisions": (lambda s: {}, None),
    "api.get_supervision": (lambda s: {"supervision_id": s.supervision_id}, None),
    "api.answer_supervision": (lambda s: {"supervision_id": s.supervision_id}, lambda s: {"note": "已办理"}),
    "api.supervision_notice": (lambda s: {"supervision_id": s.supervision_id}, None),
    "api.submit_report": (lambda s: {"year": s.unsubmitted}, lambda s: {}),
    "api.list_reports": (lambda s: {"year": 2026}, None),
    "api.get_report": (lambda s: {"submission_id": s.submission_id}, None),
    "api.report_docx": (lambda s: {"submission_id": s.submission_id}, None),
    "api.return_report": (lambda s: {"submission_id": s.submission_id}, lambda s: {"comment": "请补充"}),
    "api.accept_report": (lambda s: {"submission_id": s.submission_id}, lambda s: {}),
    "directives.index": (lambda s: {}, None),
    "directives.new": (lambda s: {}, lambda s: {"org": str(s.town.id), "title": "页面交办", "due_date": "2026-12-10",
                                                "year": "2026"}),
    "directives.accept": (lambda s: {"directive_id": s.directive_id}, lambda s: {"a-theme": str(s.theme_id)}),
    "directives.decline": (lambda s: {"directive_id": s.directive_id}, lambda s: {"d-reason": "不属本镇职责"}),
    "api.issue_assignment": (lambda s: {"org_id": s.town.id}, lambda s: {
        "title": "接口交办", "due_date": "2026-12-10", "year": 2026}),
    "api.list_assignments": (lambda s: {}, None),
    "api.accept_assignment": (lambda s: {"assignment_id": s.directive_id}, lambda s: {"theme_id": s.theme_id}),
    "api.decline_assignment": (lambda s: {"assignment_id": s.directive_id}, lambda s: {"reason": "不属本镇职责"}),
}


# --- one app, one world and one login per role for the module -----------------------------------------------

@pytest.fixture(scope="module")
def matrix(services, tmp_path_factory):
    """The requests run outside any app context of the test's: Flask would otherwise share one `g` (and the
    logged-in user Flask-Login caches there) between every browser."""
    base = tmp_path_factory.mktemp("matrix")
    app = create_app(config.TestConfig(), INSTANCE_DIR=str(base / "instance"), UPLOAD_DIR=str(base / "uploads"),
                     FIXED_TODAY=TODAY, SECRET_KEY="test-secret")
    with app.app_context():
        world = build_world()
        plan_ids = (world.plan.id, world.other_plan.id)
    yield Matrix(app, plan_ids)
    with app.app_context():
        _empty_tables()
        throttle.forget_all()
        db.engine.dispose()


class Matrix:
    """The module's app and world, with a logged-in browser and an API token per role, made when first used."""

    def __init__(self, app, plan_ids):
        self.app, self.plan_ids = app, plan_ids
        self.clients, self.csrf, self.tokens = {}, {}, {}

    def world(self) -> World:
        """The world's plans in the current app context's session."""
        return World(*(db.session.get(Plan, plan_id) for plan_id in self.plan_ids))

    def browser(self, role: str, fresh: bool = False):
        if role in self.clients and not fresh:
            return self.clients[role], self.csrf[role]
        client = self.app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        if role != "anonymous":
            response = client.post("/login", data={"username": role, "password": PASSWORD, "csrf_token": token})
            assert response.status_code == 302, f"{role} could not log in"
            token = csrf_token(client.get("/account/").get_data(as_text=True))  # login gives a new CSRF secret
        if not fresh:
            self.clients[role], self.csrf[role] = client, token
        return client, token

    def token(self, role: str, fresh: bool = False) -> str | None:
        if role == "anonymous":
            return None
        if role not in self.tokens or fresh:
            response = self.app.test_client().post("/api/v1/auth/token",
                                                   json={"username": role, "password": PASSWORD})
            assert response.status_code == 200, f"{role} could not get a token"
            if fresh:
                return response.get_json()["token"]
            self.tokens[role] = response.get_json()["token"]
        return self.tokens[role]


def _call(matrix: Matrix, endpoint: str, method: str, role: str):
    params, body = ROUTES[endpoint]
    with matrix.app.app_context():
        stage = Stage(matrix.world())
        values = params(stage)
        data = body(stage) if body is not None and method != "GET" else None
        with matrix.app.test_request_context():
            path = url_for(endpoint, **values)
    if endpoint.startswith("api."):
        fresh = endpoint == "api.delete_token"  # revoking must not end the shared token
        token = matrix.token(role, fresh=fresh)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = matrix.app.test_client()
        return client, client.open(path, method=method, json=data, headers=headers), values
    if endpoint == "auth.logout" or (endpoint == "auth.login" and method == "POST"):
        client, token = matrix.browser(role, fresh=True)  # a browser of its own: this one logs out or in
    else:
        client, token = matrix.browser(role)
    if method == "GET":
        return client, client.get(path), values
    response = client.open(path, method=method, data={"csrf_token": token, **(data or {})})
    if endpoint == "auth.logout":
        matrix.clients.pop(role, None)  # logout ends every session of the user, the module's browser's too
    return client, response, values


def _error_flashes(client) -> list[str]:
    """The error messages waiting for the next page (taken off, so the next case starts clean)."""
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return [message for category, message in flashes if category == "error"]


def _outcome(client, response) -> str:
    status = response.status_code
    if status == 302:
        location = response.headers["Location"]
        if re.search(r"/login(\?|$)", location):
            return "login"
        return "flash" if _error_flashes(client) else "ok"
    if status in (401, 403, 404):
        return str(status)
    if status in (200, 201, 204):
        _error_flashes(client)
        return "ok"
    return f"unexpected {status}"


def test_every_route_has_a_rule(matrix):
    """Deny by default: a route the table does not name fails here, by name; so does a row for a gone route."""
    routes = _app_routes(matrix.app)
    missing = sorted(routes - set(EXPECTED))
    assert not missing, "routes without a rule in tests/test_access_matrix.py EXPECTED: " + ", ".join(
        f"{e} {m}" for e, m in missing)
    stale = sorted(set(EXPECTED) - routes)
    assert not stale, "rules for routes that no longer exist: " + ", ".join(f"{e} {m}" for e, m in stale)
    assert not {e for e, _ in routes} - set(ROUTES), "routes without a request in ROUTES"


@pytest.mark.parametrize("endpoint, method, role", _cases())
def test_route_role(matrix, endpoint, method, role):
    if (endpoint, method) not in _app_routes(matrix.app):
        pytest.fail(f"{endpoint} {method} is in the table but not in the app's URL map")
    expected = _expectations(endpoint, method)[role]
    client, response, values = _call(matrix, endpoint, method, role)
    got = _outcome(client, response)
    detail = response.get_data(as_text=True)[:300] if got != expected else ""
    assert got == expected, f"{role} {method} {endpoint}: expected {expected}, got {got} " \
                            f"({response.status_code}) {detail}"
    if got == "401":
        assert response.get_json()["error"]["code"] == "unauthenticated"
    if got in ("403", "404") and endpoint.startswith("api."):
        assert response.get_json()["error"]["code"] in ("forbidden", "not_found")
    if got == "403" and method != "GET" and "task_id" in values:
        with matrix.app.app_context():  # a refused change to a visible task is kept in the audit trail
            kept = db.session.scalars(select(AuditEntry.action).where(
                AuditEntry.actor_id == users.get_user(role).id, AuditEntry.task_id == values["task_id"])).all()
        assert any(a.endswith(".refused") for a in kept), f"{role} {method} {endpoint}: refused, not audited"


# --- object level: changing the id in the URL ---------------------------------------------------------------

def _refusals(actor: str, action: str, task_id: int) -> int:
    return len(db.session.scalars(select(AuditEntry).where(
        AuditEntry.actor_id == users.get_user(actor).id, AuditEntry.action == f"{action}.refused",
        AuditEntry.task_id == task_id)).all())


@pytest.mark.parametrize("via", ["web", "api"])
def test_cadre_posting_on_another_cadres_task_is_refused_and_kept(matrix, via):
    """cadre3 is neither owner nor co-owner: reading the task is allowed (same township), acting is not."""
    with matrix.app.app_context():
        task_id = Stage(matrix.world()).task.id
    if via == "web":
        client, token = matrix.browser("cadre3", fresh=True)
        assert client.get(f"/tasks/{task_id}").status_code == 200
        answers = [client.post(f"/tasks/{task_id}/progress",
                               data={"csrf_token": token, "p-percent": "90", "p-note": "冒名反馈"}),
                   client.post(f"/tasks/{task_id}/complete", data={"csrf_token": token, "c-note": "冒名办结"})]
    else:
        headers = {"Authorization": f"Bearer {matrix.token('cadre3', fresh=True)}"}
        client = matrix.app.test_client()
        assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).status_code == 200
        answers = [client.post(f"/api/v1/tasks/{task_id}/progress", json={"percent": 90, "note": "冒名反馈"},
                               headers=headers),
                   client.post(f"/api/v1/tasks/{task_id}/complete-request", json={"note": "冒名办结"},
                               headers=headers)]
    assert [a.status_code for a in answers] == [403, 403]
    with matrix.app.app_context():
        assert _refusals("cadre3", "task.progress", task_id) == 1
        assert _refusals("cadre3", "task.complete_request", task_id) == 1
        task = db.session.get(PlanTask, task_id)
        assert task.progress == 0 and task.status == "assigned"


@pytest.mark.parametrize("via", ["web", "api"])
def test_cadre_reaching_another_organisations_task_finds_nothing(matrix, via):
    """白地镇's task is hidden from 云乐镇's cadre (404, as for an id that does not exist), and nothing changes."""
    from tracker.services.tasks import verbs as task_service
    with matrix.app.app_context():
        other = task_service.create_task(users.get_user("other_office"), matrix.world().other_plan, {
            "theme": "1", "title": "白地镇的任务", "report_section": 1, "owner": "other_cadre",
            "due_date": date(2026, 12, 31)})
        db.session.commit()
        other_id = other.id
    missing = other_id + 10_000
    if via == "web":
        client, token = matrix.browser("cadre", fresh=True)
        answers = [client.get(f"/tasks/{other_id}"), client.get(f"/tasks/{missing}"),
                   client.post(f"/tasks/{other_id}/progress", data={"csrf_token": token, "p-percent": "90",
                                                                    "p-note": "越权反馈"})]
    else:
        headers = {"Authorization": f"Bearer {matrix.token('cadre', fresh=True)}"}
        client = matrix.app.test_client()
        answers = [client.get(f"/api/v1/tasks/{other_id}", headers=headers),
                   client.get(f"/api/v1/tasks/{missing}", headers=headers),
                   client.post(f"/api/v1/tasks/{other_id}/progress", json={"percent": 90, "note": "越权反馈"},
                               headers=headers)]
        assert answers[0].get_json() == answers[1].get_json()  # the same answer as for no task at all
    assert [a.status_code for a in answers] == [404, 404, 404]
    with matrix.app.app_context():
        assert db.session.get(PlanTask, other_id).progress == 0
