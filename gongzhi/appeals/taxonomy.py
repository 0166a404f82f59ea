"""The default appeal taxonomy (诉求分类), seeded by a data migration for every new installation.

Codes never change meaning (statistics, routing rules and exports stay comparable across
installations); administrators may rename, add and retire categories afterwards. Each leaf has a
deadline class; its response and resolution deadlines start from the class defaults
(models.DEADLINE_DEFAULTS) and may be changed per category.
"""

from __future__ import annotations

# (code, name, English name, [(leaf code, name, English, deadline class, emergency, keywords)])
TAXONOMY: list[tuple[str, str, str, list[tuple[str, str, str, str, bool, str]]]] = [
    (
        "UC",
        "城市管理",
        "City management",
        [
            ("UC01", "市容环境卫生", "Street cleanliness", "general", False, "垃圾,脏乱,卫生,保洁,积水"),
            ("UC02", "垃圾清运", "Waste collection", "general", False, "垃圾桶,清运,满溢,分类,垃圾站"),
            ("UC03", "占道经营", "Street vending", "general", False, "摆摊,占道,流动摊贩,夜市"),
            ("UC04", "违法建设", "Illegal construction", "complex", False, "违建,私搭乱建,加盖,违章"),
            ("UC05", "园林绿化", "Greenery", "general", False, "树木,绿地,修剪,倒伏,草坪"),
            ("UC06", "户外广告", "Outdoor ads", "general", False, "广告牌,招牌,横幅,小广告"),
        ],
    ),
    (
        "PM",
        "物业管理",
        "Property management",
        [
            ("PM01", "物业服务", "Property services", "general", False, "物业,保洁,保安,服务差"),
            ("PM02", "电梯", "Lifts", "general", False, "电梯,困人,停运,故障"),
            ("PM03", "小区停车", "Estate parking", "general", False, "车位,停车,乱停,地库"),
            ("PM04", "维修资金", "Maintenance fund", "complex", False, "维修基金,专项维修资金,公共维修"),
            ("PM05", "业委会", "Owners' committee", "complex", False, "业主委员会,业委会,选举,业主大会"),
        ],
    ),
    (
        "UT",
        "水电气热",
        "Utilities",
        [
            ("UT01", "供水", "Water supply", "utilities", False, "停水,水压,水质,漏水"),
            ("UT02", "供电", "Electricity", "utilities", False, "停电,断电,电压,跳闸"),
            ("UT03", "燃气", "Gas", "emergency", True, "燃气,煤气,漏气,天然气"),
            ("UT04", "供暖", "Heating", "utilities", False, "暖气,供暖,不热,温度"),
            ("UT05", "排水", "Drainage", "utilities", False, "下水道,堵塞,污水,返水,井盖"),
        ],
    ),
    (
        "NO",
        "噪声扰民",
        "Noise",
        [
            ("NO01", "施工噪声", "Construction noise", "general", False, "施工,夜间施工,噪音,工地"),
            ("NO02", "商业噪声", "Commercial noise", "general", False, "商铺,音响,广场舞,噪音"),
            ("NO03", "生活噪声", "Neighbour noise", "general", False, "邻居,楼上,装修,噪音"),
        ],
    ),
    (
        "TR",
        "交通出行",
        "Transport",
        [
            ("TR01", "道路设施", "Roads", "general", False, "路灯,坑洼,井盖,护栏,道路"),
            ("TR02", "公交", "Buses", "general", False, "公交,线路,站点,班次"),
            ("TR03", "停车管理", "Parking", "general", False, "停车,违停,收费,占用"),
            ("TR04", "非机动车", "Bicycles and e-bikes", "general", False, "共享单车,电动车,自行车,乱停"),
        ],
    ),
    (
        "HO",
        "住房与房屋",
        "Housing",
        [
            ("HO01", "房屋安全", "Building safety", "emergency", True, "危房,裂缝,坠落,外墙,房屋安全"),
            ("HO02", "租赁", "Renting", "general", False, "租房,中介,押金,群租"),
            ("HO03", "老旧小区改造", "Old-estate renovation", "complex", False, "老旧小区,改造,加装电梯,管网"),
            ("HO04", "征收拆迁", "Expropriation", "complex", False, "拆迁,征收,补偿,安置"),
        ],
    ),
    (
        "SS",
        "社会保障",
        "Social security",
        [
            ("SS01", "医疗保险", "Medical insurance", "general", False, "医保,报销,缴费,参保"),
            ("SS02", "养老保险", "Pensions", "general", False, "养老金,社保,退休,缴费"),
            ("SS03", "最低生活保障", "Minimum living allowance", "general", False, "低保,救助,困难,补助"),
            ("SS04", "残疾人服务", "Disability services", "general", False, "残疾,残疾证,无障碍,补贴"),
        ],
    ),
    (
        "HE",
        "医疗卫生",
        "Health",
        [
            ("HE01", "医疗服务", "Medical services", "general", False, "医院,看病,挂号,社区卫生"),
            ("HE02", "疫苗接种", "Vaccination", "general", False, "疫苗,接种,预约"),
            ("HE03", "公共卫生", "Public health", "general", False, "病媒,老鼠,蚊虫,消杀"),
        ],
    ),
    (
        "ED",
        "教育",
        "Education",
        [
            ("ED01", "入学", "School enrolment", "general", False, "入学,学位,划片,转学"),
            ("ED02", "校外培训", "Tutoring", "general", False, "培训机构,退费,补课"),
            ("ED03", "托育", "Childcare", "general", False, "托育,托儿所,幼儿园"),
        ],
    ),
    (
        "LA",
        "劳动就业",
        "Labour",
        [
            ("LA01", "欠薪", "Unpaid wages", "general", False, "欠薪,拖欠工资,讨薪"),
            ("LA02", "劳动合同", "Contracts", "general", False, "劳动合同,辞退,加班,社保"),
            ("LA03", "就业服务", "Employment services", "general", False, "就业,招聘,培训,失业"),
        ],
    ),
    (
        "MK",
        "市场监管",
        "Market regulation",
        [
            ("MK01", "消费纠纷", "Consumer disputes", "general", False, "退款,预付卡,消费,商家"),
            ("MK02", "食品安全", "Food safety", "general", False, "食品,过期,餐馆,卫生"),
            ("MK03", "价格", "Prices", "general", False, "价格,收费,乱收费,涨价"),
        ],
    ),
    (
        "EN",
        "生态环境",
        "Environment",
        [
            ("EN01", "大气污染", "Air pollution", "general", False, "烟尘,焚烧,异味,扬尘"),
            ("EN02", "餐饮油烟", "Cooking fumes", "general", False, "油烟,烧烤,餐馆,排烟"),
            ("EN03", "水污染", "Water pollution", "general", False, "河道,排污,黑臭,污水"),
        ],
    ),
    (
        "PS",
        "公共安全",
        "Public safety",
        [
            ("PS01", "治安", "Public order", "general", False, "治安,盗窃,打架,可疑"),
            ("PS02", "消防", "Fire safety", "emergency", True, "消防通道,堵塞,灭火器,火灾隐患"),
            ("PS03", "电动车充电", "E-bike charging safety", "general", False, "飞线充电,楼道充电,电动车,充电桩"),
        ],
    ),
    (
        "CA",
        "民政与社区",
        "Civil affairs and community",
        [
            ("CA01", "养老服务", "Elderly care", "general", False, "养老,助餐,老年人,居家养老"),
            ("CA02", "证明开具", "Certificates", "general", False, "证明,开具,盖章,居住证明"),
            ("CA03", "社区事务", "Community affairs", "general", False, "社区,活动,公示,服务站"),
            ("CA04", "邻里纠纷", "Neighbour disputes", "general", False, "邻居,纠纷,矛盾,调解"),
        ],
    ),
    (
        "AG",
        "农业农村",
        "Rural affairs",
        [
            ("AG01", "农田水利", "Irrigation", "general", False, "灌溉,水渠,农田,水利"),
            ("AG02", "宅基地", "Homesteads", "complex", False, "宅基地,建房,审批,确权"),
            ("AG03", "村务公开", "Village affairs disclosure", "general", False, "村务,公开,账目,财务"),
            ("AG04", "农村用电", "Rural electricity", "utilities", False, "农村,停电,线路,电压"),
        ],
    ),
    (
        "OT",
        "其他",
        "Other",
        [
            ("OT01", "咨询", "Enquiries", "general", False, "咨询,政策,怎么办,请问"),
            ("OT02", "建议", "Suggestions", "general", False, "建议,希望,提议"),
            ("OT03", "表扬", "Praise", "general", False, "表扬,感谢,锦旗,好评"),
        ],
    ),
]

# Extra fields asked for some categories (they become Open311 service definitions).
# (category code, attribute code, datatype, required, question, datatype description, values)
ATTRIBUTES: list[tuple[str, str, str, bool, str, str, list[tuple[str, str]]]] = [
    (
        "PM02",
        "trapped",
        "singlevaluelist",
        True,
        "是否有人被困在电梯内？",
        "有人被困请同时拨打119",
        [("yes", "是"), ("no", "否")],
    ),
    (
        "UT02",
        "outage_scope",
        "singlevaluelist",
        False,
        "停电范围",
        "",
        [("household", "本户"), ("building", "整栋楼"), ("area", "片区")],
    ),
    ("NO01", "noise_time", "string", False, "噪声发生的时间段", "例如：每晚22点至次日2点", []),
    (
        "PS03",
        "location_kind",
        "multivaluelist",
        False,
        "充电地点",
        "可多选",
        [("corridor", "楼道"), ("stairs", "楼梯间"), ("window", "窗外飞线"), ("other", "其他")],
    ),
]

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def path_step(n: int) -> str:
    """Return treebeard's materialized-path step for the n-th sibling (1-based)."""
    digits = ""
    while n:
        n, rest = divmod(n, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, "0")
