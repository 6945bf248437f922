"""The figure catalogue over the API: what a progress update's figures should be named and counted in."""
from flask import g, jsonify
from pydantic import BaseModel

from tracker.api.blueprint import bp
from tracker.api.spec import operation
from tracker.services.figures.catalogue import catalogue_for


class CatalogueItemOut(BaseModel):
    id: int
    name: str
    unit: str
    description: str
    report_section: int | None
    kind: str  # flow (累计) or stock (现有)


class CatalogueOut(BaseModel):
    items: list[CatalogueItemOut]


@operation(bp, "/catalogue", "GET", summary="本单位的数据目录(进展反馈可选的数据项)", response=CatalogueOut)
def get_catalogue():
    items = [{"id": m.id, "name": m.name, "unit": m.unit, "description": m.description,
              "report_section": m.report_section, "kind": m.kind} for m in catalogue_for(g.api_user.org)]
    return jsonify({"items": items})
