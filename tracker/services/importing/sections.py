"""Suggesting which of the report's seven sub-sections (DOMAIN.md) a measure rolls into."""
# Words that point to a section, with weights; drawn from the seven headings and the usual wording of
# township and county reports (the seed's part 一 files 普法 under section 7, disputes under 5).
KEYWORDS = {
    1: {"习近平法治思想": 4, "第一责任人": 4, "述法": 3, "中心组": 3, "理论学习": 3, "会前学法": 3, "学法": 2,
        "法治政府建设": 1, "党政主要负责人": 3, "法治建设责任": 2, "学习贯彻": 2, "二十大": 1, "学法规": 2},
    2: {"放管服": 4, "营商环境": 4, "政务服务": 3, "一网通办": 3, "审批": 2, "行政许可": 3, "权责清单": 3,
        "机构职能": 3, "招商引资": 3, "招标": 3, "企业": 2, "市场主体": 2, "便民服务": 2, "办件": 2, "证明事项": 2,
        "帮办代办": 2, "数字政府": 2,
        "证照分离": 3, "网办": 2, "涉企": 2, "登记": 1, "一次办好": 2, "窗口": 2},
    3: {"决策": 3, "合法性审查": 4, "规范性文件": 4, "制度建设": 2, "重大行政决策": 4, "公平竞争审查": 3,
        "合同审查": 3, "法律顾问": 1, "村规民约": 2, "集体讨论": 2, "备案审查": 3, "依法行政制度": 4},
    4: {"执法": 4, "行政处罚": 4, "综合执法": 4, "执法证": 3, "三项制度": 3, "执法检查": 3, "柔性执法": 3,
        "监管": 2, "裁量": 3, "包容审慎": 2, "执法人员": 3},
    5: {"矛盾": 3, "纠纷": 3, "调解": 3, "信访": 3, "一站式": 3, "解纷": 3, "公共法律服务": 4, "法律援助": 4,
        "应援尽援": 3, "应急": 3, "突发事件": 4, "风险": 2, "隐患": 2, "平安": 3, "网格": 2, "治安": 2,
        "重点群体": 2, "村居法律顾问": 3, "法律顾问": 2, "一村一法律顾问": 2, "法律咨询": 2, "反电诈": 2, "安全感": 2, "社会治理": 2, "枫桥": 3,
        "维稳": 2, "基层治理": 1, "三治": 1, "安全生产": 2, "防汛": 2},
    6: {"监督": 3, "政务公开": 4, "廉政": 3, "人大": 2, "审计": 3, "问责": 3, "行政复议": 4, "行政应诉": 4,
        "权力运行": 3, "党风": 2, "一岗双责": 2, "信息公开": 3, "公开": 2, "负责人出庭": 4, "制约": 2, "作风": 2},
    7: {"保障": 2, "队伍": 2, "培训": 2, "经费": 3, "考核": 3, "普法": 2, "宣传": 1, "法治宣传": 2,
        "法治氛围": 2, "法治文化": 3, "民主法治示范": 3, "法律明白人": 3, "法治意识": 2, "督察": 2,
        "八五": 2, "以案释法": 2, "谁执法谁普法": 3, "阵地": 1, "品牌": 1, "特色": 1, "经验": 1, "宣讲": 1},
}
DEFAULT_SECTION = 7


def suggest_section(title: str, text: str = "") -> int:
    """The best-scoring section for a measure, its title counting double; 7 (保障) when nothing matches."""
    scores = {}
    for section, words in KEYWORDS.items():
        score = 0
        for word, weight in words.items():
            score += weight * (2 * title.count(word) + text.count(word))
        scores[section] = score
    best = max(scores.values())
    if best == 0:
        return DEFAULT_SECTION
    return min(s for s, v in scores.items() if v == best)
