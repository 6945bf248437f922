"""Splitting a theme's running text into measures: clauses grouped around the verb that starts each one."""
import re

# Adverbs and intensifiers that may stand before the verb of a measure.
ADVERBS = ("进一步", "继续", "持续", "深入", "认真", "全面", "高度", "积极", "大力", "着力", "扎实", "切实",
           "不断", "加快", "严格", "重点", "主动", "及时", "常态化", "坚决", "稳步", "全力", "努力", "广泛",
           "深化", "要", "将", "还将", "同时", "并", "再")
VERBS = (
    "推进", "推动", "推深", "推行", "推广", "加强", "加大", "加快", "开展", "深化", "建立", "健全", "完善",
    "落实", "强化", "打造", "提升", "提高", "做好", "做实", "组织", "探索", "实施", "规范", "压实", "学法",
    "关注", "坚持", "抓好", "狠抓", "抓实", "创新", "优化", "构建", "建设", "设立", "配备", "培训", "举办",
    "召开", "聘请", "排查", "化解", "调处", "督促", "指导", "宣传", "印发", "制定", "修订", "编制", "梳理",
    "清理", "审查", "办理", "受理", "拓展", "扩大", "增强", "用好", "发挥", "整合", "严把", "严格", "畅通",
    "引导", "鼓励", "培育", "选树", "评选", "创建", "争创", "打击", "整治", "防范", "预防", "保障", "维护",
    "运用", "利用", "依托", "聚焦", "围绕", "突出", "夯实", "筑牢", "织密", "延伸", "覆盖", "落细",
    "实行", "执行", "贯彻", "学习", "部署", "研究", "召集", "公开", "公示", "接受", "配合", "协调", "对接",
    "邀请", "组建", "成立", "招募", "招聘", "开发", "上线", "编印", "发放", "走访", "慰问", "调解",
    "提炼", "总结", "宣讲", "普及", "开通", "健全完善", "完善健全", "建立健全", "抓紧", "确定", "明确")
# A clause that only sets the scene for the next one ("立足辖区实际,打造…").
PREMISE_START = ("立足", "通过", "结合", "按照", "借助", "针对", "对照", "根据", "基于", "坚持以", "以点带面")
PREMISE_END = ("的同时", "为目标", "为抓手", "为载体", "为重点", "为依托", "为契机", "为切入点")
# A clause that states the purpose or result of the one before ("…,确保社会和谐稳定").
RESULT_START = ("从根源", "从源头", "确保", "切实", "全力", "不断", "努力", "力争", "使", "让", "做到", "实现",
                "达到", "营造", "满足", "助力", "进而", "从而", "真正", "以便", "以此", "为企业", "为群众",
                "为全", "为经济", "为乡村", "为辖区", "为社会", "促进", "形成")
RESULT_END = ("水平", "能力", "氛围", "意识", "素质", "积极性", "主动性", "受益面", "新格局", "获得感",
              "幸福感", "安全感", "满意度", "保驾护航", "稳定", "作用", "效能", "质效", "实效", "基础",
              "合力", "防线", "屏障", "良好局面")
# Scene-setting that is not a measure at all ("2024年是…关键之年", "以"法"字为主基调").
CONTEXT = re.compile(r"之年|为主基调|为指导|为统领|为主线|为引领|为根本遵循|^\d{4}年$|^(今年|明年|当前|目前)$")
SUBJECT = re.compile(
    r"^(?:\d{4}年[,，]?\s*)?(?:(?:我|全|本)(?:镇|乡|县|局|委|办|街道|单位|中心|所)|镇党委|镇政府|"
    r"[\u4e00-\u9fa5]{2,8}?(?:镇|乡|局|街道|委员会|办公室)(?:党委|政府|党组)?)(?:将|要|还将|会|拟)(?:继续)?")
SHORT = 7
# Slogans that name no concrete work of their own ("狠抓法治建设"): they belong to the measure before.
GENERIC = re.compile(r"^.{1,4}法治(政府)?建设(工作)?$|^.{1,4}各项工作$")
TINY = 6
TITLE_MAX = 60


def sentences(text: str) -> list[str]:
    """Sentences, ended by 。！？；(the ending dropped)."""
    return [s for s, _ in written_sentences(text)]


def written_sentences(text: str) -> list[tuple[str, str]]:
    """(sentence without its ending, the sentence exactly as written with it) pairs, so a source can be searched."""
    pairs = [(m.group(1).strip(), m.group(0).strip()) for m in re.finditer(r"([^。！？!?；;]*)[。！？!?；;]?", text)]
    return [(bare, written) for bare, written in pairs if bare]


def clauses(sentence: str) -> list[str]:
    """Comma-separated clauses, keeping commas inside quotes and book titles."""
    out, depth, current = [], 0, ""
    for ch in sentence:
        if ch in "“《(（「":
            depth += 1
        elif ch in "”》)）」" and depth:
            depth -= 1
        if ch in ",，" and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += ch
    out.append(current.strip())
    return [c for c in out if c]


def _core(clause: str) -> str:
    """The clause without its leading adverbs, to see which verb starts it."""
    changed = True
    while changed:
        changed = False
        for adverb in ADVERBS:
            if clause.startswith(adverb) and len(clause) > len(adverb) + 1:
                clause, changed = clause[len(adverb):], True
    return clause


def starts_with_verb(clause: str) -> bool:
    core = _core(clause)
    return core.startswith(VERBS) or clause.startswith(VERBS)


def kind(clause: str) -> str:
    """context, premise, result or measure."""
    if CONTEXT.search(clause):
        return "context"
    if clause.startswith(PREMISE_START) or clause.endswith(PREMISE_END):
        return "premise"
    if clause.startswith(RESULT_START) or clause.endswith(RESULT_END):
        return "result"
    if clause.startswith("为") and not clause.startswith(VERBS):
        return "result"
    return "measure" if starts_with_verb(clause) else "other"


def group_measures(text: str) -> list[dict]:
    """Measures in running text: each a list of clauses, its core clauses and its sentences."""
    groups: list[dict] = []
    pending_premise: list[str] = []
    for sentence, written in written_sentences(text):
        parts = clauses(sentence)
        if parts:
            parts[0] = SUBJECT.sub("", parts[0]).strip() or parts[0]
        for index, clause in enumerate(parts):
            what = kind(clause)
            if what == "context":
                continue
            if what == "premise":
                pending_premise.append(clause)
                continue
            current = groups[-1] if groups else None
            same_sentence = current is not None and current["sentences"][-1] == sentence
            attach = current is not None and (
                what in ("result", "other")
                or ((len(clause) < SHORT or GENERIC.search(clause)) and same_sentence and index > 0)
                or len("".join(current["core"])) < TINY)
            if attach and (not pending_premise or what != "measure"):
                current["clauses"].extend(pending_premise + [clause])
                pending_premise = []
                if what == "measure":
                    current["core"].append(clause)
                if current["sentences"][-1] != sentence:
                    current["sentences"].append(sentence)
                    current["written"].append(written)
                continue
            groups.append({"clauses": pending_premise + [clause],
                           "core": [clause] if what in ("measure", "other") else [],
                           "sentences": [sentence], "written": [written]})
            pending_premise = []
    if pending_premise and groups:
        groups[-1]["clauses"].extend(pending_premise)
    return [g for g in groups if g["core"] or len("".join(g["clauses"])) >= SHORT]


def title_of(group: dict) -> str:
    """A short name for a measure: its first verb clause, with the next one when the first is very short."""
    core = group["core"] or group["clauses"]
    title = core[0]
    for extra in core[1:]:
        if len(title) >= 10 or len(title) + len(extra) + 1 > TITLE_MAX:
            break
        title = f"{title}，{extra}"
    return clip(title)


def clip(text: str, limit: int = TITLE_MAX) -> str:
    """Shorten at a clause boundary where possible."""
    text = text.strip(" ,，、;；。")
    if len(text) <= limit:
        return text
    cut = max(text.rfind(",", 0, limit), text.rfind("，", 0, limit), text.rfind("、", 0, limit))
    return text[:cut] if cut >= 10 else text[:limit]
