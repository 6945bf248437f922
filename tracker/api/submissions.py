"""Annual reports sent up over the API: 报送 by a township, the county's list, 退回 and 采纳, each Word file."""
from datetime import datetime
from io import BytesIO
from typing import Literal

from flask import g, jsonify, send_file
from pydantic import BaseModel, Field

from tracker.api import schemas
from tracker.api.blueprint import bp
from tracker.api.parsing import int_arg, parse_json
from tracker.api.spec import operation
from tracker.models import ReportSubmission
from tracker.services.calendar.clock import today
from tracker.services.errors import ValidationFailed
from tracker.services.infra.safe_text import file_name
from tracker.services.reporting import submission as submissions
from tracker.services.validation import YEAR_MAX

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class SubmissionOut(BaseModel):
    id: int
    org: str
    org_id: int
    year: int
    status: Literal["submitted", "returned", "accepted"]
    submitted_at: datetime
    version: int
    late: bool  # 逾期报送: sent after the 1 April deadline
    comment: str  # the county's 退回 or 采纳 comment
    decided_at: datetime | None


class SubmissionsOut(BaseModel):
    items: list[SubmissionOut]


class ReturnIn(schemas.In):
    comment: str = Field(min_length=1, max_length=submissions.COMMENT_MAX)


class AcceptIn(schemas.In):
    comment: str = Field(default="", max_length=submissions.COMMENT_MAX)


def _out(s: ReportSubmission) -> dict:
    return SubmissionOut(id=s.id, org=s.org.name, org_id=s.org_id, year=s.year, status=s.status,
                         submitted_at=s.submitted_at, version=s.version, late=s.is_late, comment=s.comment,
                         decided_at=s.decided_at).model_dump(mode="json")


@operation(bp, "/reports/<int:year>/submit", "POST", status=201, response=SubmissionOut,
           summary="报送本单位的年度报告(乡镇党政办):冻结当前初稿为新版本;4月1日后报送标为逾期报送")
def submit_report(year):
    row = submissions.submit(g.api_user, g.api_user.org, year, today())
    return jsonify(_out(row)), 201


@operation(bp, "/reports", "GET", response=SubmissionsOut, query=[("year", "integer", "报告年度(必填)")],
           summary="下级单位报送的年度报告(各单位最新版本;县党政办或督查)")
def list_reports():
    year = int_arg("year", high=YEAR_MAX + 1)
    if year is None:
        raise ValidationFailed("请给出报告年度 year", {"year": "必填"})
    submissions.require_lister(g.api_user)
    submissions.readable_year(year)
    return jsonify({"items": [_out(s) for s in submissions.submissions_below(g.api_user, year)]})


@operation(bp, "/reports/<int:submission_id>", "GET", response=SubmissionOut, summary="报送的一个版本")
def get_report(submission_id):
    return jsonify(_out(submissions.load(g.api_user, submission_id)))


@operation(bp, "/reports/<int:submission_id>/docx", "GET", binary=True, summary="下载报送版本的 Word 文件(报送时保存)")
def report_docx(submission_id):
    row = submissions.load(g.api_user, submission_id)
    name = file_name(f"{row.title}(第{row.version}版).docx")
    return send_file(BytesIO(row.docx), mimetype=DOCX, as_attachment=True, download_name=name)


@operation(bp, "/reports/<int:submission_id>/return", "POST", body=ReturnIn, response=SubmissionOut,
           summary="退回报送的报告(上级党政办,须填写意见);乡镇党政办收到通知")
def return_report(submission_id):
    row = submissions.load(g.api_user, submission_id)
    submissions.require_decider(g.api_user, row, "return")  # rights before the body's checks
    body = parse_json(ReturnIn)
    return jsonify(_out(submissions.decide(g.api_user, row, "return", body.comment)))


@operation(bp, "/reports/<int:submission_id>/accept", "POST", body=AcceptIn, response=SubmissionOut,
           summary="采纳报送的报告(上级党政办)")
def accept_report(submission_id):
    row = submissions.load(g.api_user, submission_id)
    submissions.require_decider(g.api_user, row, "accept")
    body = parse_json(AcceptIn)
    return jsonify(_out(submissions.decide(g.api_user, row, "accept", body.comment)))
