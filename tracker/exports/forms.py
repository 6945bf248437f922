"""Forms of the export pages."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField


class PackForm(FlaskForm):
    scope = RadioField("打包范围", choices=[SelectChoice("plan", "整个计划"), SelectChoice("theme", "一个主题"),
                                        SelectChoice("task", "一项任务")], default="plan")
    theme = SelectField("主题", validate_choice=False)
    task = SelectField("任务", validate_choice=False)


class FeedForm(FlaskForm):
    """Renew or revoke a calendar address: only CSRF."""
