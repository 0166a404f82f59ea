"""Demo data for services: points, a catalogue of ~45 items in the 7 categories, bundles, the duties register
(with powers handed down to 青山镇), applications in every state and mode, certificates, village logs and
enforcement cases. Everything goes through the actions; running it twice adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi.people import actions as people_actions
from gongzhi.people.models import Resident, RoleGrant, User
from gongzhi.people.roles import Role
from gongzhi.services import actions
from gongzhi.services.models import (
    Application,
    BundleTemplate,
    Certificate,
    CertificateType,
    Duty,
    EnforcementCase,
    FinanceLog,
    ParcelLog,
    PointKind,
    ProduceListing,
    RedirectGuide,
    ServiceItem,
    ServiceKind,
    ServicePoint,
)
from gongzhi.units.models import Department, DepartmentKind
from gongzhi.web.demo import DEMO_PASSWORD, DemoContext, _department

ID = ("居民身份证", "original", False)
HUKOU = ("户口簿", "original", True)
PHOTO = ("一寸免冠照片", "original", False)
ALL_MODES = ["online", "direct", "proxy", "accompany"]
DESK_MODES = ["direct", "proxy", "accompany"]

# code, name, category, finish level, department code, matter code, days, fee, modes, remote, materials, eligibility
ITEMS: list[tuple[Any, ...]] = [
    # 党群服务
    (
        "DQ-01",
        "党员组织关系转接",
        "party",
        "street",
        None,
        "",
        3,
        "0",
        ["direct", "online"],
        True,
        [ID, ("组织关系介绍信", "original", False)],
        "中共党员",
    ),
    (
        "DQ-02",
        "流动党员登记",
        "party",
        "community",
        None,
        "",
        1,
        "0",
        ["direct", "online"],
        False,
        [ID],
        "外出或流入的中共党员",
    ),
    (
        "DQ-03",
        "入党积极分子培训报名",
        "party",
        "street",
        None,
        "",
        5,
        "0",
        ["direct"],
        False,
        [ID, ("入党申请书", "copy", False)],
        "已递交入党申请书的居民",
    ),
    ("DQ-04", "志愿者注册", "party", "community", None, "", 1, "0", ["online", "direct"], False, [ID], "年满16周岁"),
    (
        "DQ-05",
        "党群活动场地预约",
        "party",
        "community",
        None,
        "",
        1,
        "0",
        ["online", "direct"],
        False,
        [],
        "辖区居民、社会组织",
    ),
    (
        "DQ-06",
        "困难党员帮扶申请",
        "party",
        "street",
        None,
        "",
        10,
        "0",
        ["direct", "proxy"],
        False,
        [ID, ("家庭困难情况说明", "original", False)],
        "生活困难的党员",
    ),
    # 政务服务
    (
        "ZW-01",
        "老年人优待证办理",
        "government",
        "street",
        None,
        "GG-LN-001",
        5,
        "0",
        ALL_MODES,
        True,
        [ID, HUKOU, PHOTO],
        "年满60周岁的本区户籍或常住老年人",
    ),
    (
        "ZW-02",
        "居住证办理",
        "government",
        "street",
        "S-PCS",
        "",
        15,
        "0",
        ["direct", "proxy"],
        True,
        [ID, ("租房合同或房产证", "copy", False), PHOTO],
        "在本区居住半年以上",
    ),
    (
        "ZW-03",
        "最低生活保障申请",
        "government",
        "street",
        None,
        "GG-DB-001",
        30,
        "0",
        ["direct", "proxy", "accompany"],
        True,
        [ID, HUKOU, ("家庭收入证明", "original", True), ("银行卡复印件", "copy", True)],
        "家庭人均收入低于本区低保标准",
    ),
    (
        "ZW-04",
        "残疾人证申领",
        "government",
        "district",
        "D-MZJ",
        "",
        20,
        "0",
        ["direct", "proxy", "accompany"],
        True,
        [ID, HUKOU, PHOTO, ("医院诊断证明", "original", False)],
        "持有本区户籍的残疾人",
    ),
    (
        "ZW-05",
        "高龄津贴申请",
        "government",
        "street",
        None,
        "GG-LN-002",
        10,
        "0",
        ALL_MODES,
        True,
        [ID, HUKOU, ("银行卡复印件", "copy", True)],
        "年满80周岁的本区户籍老人",
    ),
    (
        "ZW-06",
        "城乡居民养老保险参保登记",
        "government",
        "district",
        "D-RSJ",
        "",
        5,
        "0",
        ["online", "direct", "proxy"],
        True,
        [ID, HUKOU],
        "未参加职工养老保险的16周岁以上居民",
    ),
    (
        "ZW-07",
        "城乡居民医保参保登记",
        "government",
        "district",
        "D-YBJ",
        "",
        5,
        "0",
        ["online", "direct", "proxy"],
        True,
        [ID, HUKOU],
        "未参加职工医保的居民",
    ),
    (
        "ZW-08",
        "就业失业登记",
        "government",
        "street",
        None,
        "",
        3,
        "0",
        ["online", "direct"],
        True,
        [ID, ("劳动合同解除证明", "copy", True)],
        "法定劳动年龄内的本区居民",
    ),
    (
        "ZW-09",
        "灵活就业社保补贴申请",
        "government",
        "district",
        "D-RSJ",
        "",
        20,
        "0",
        ["direct", "proxy"],
        True,
        [ID, ("社保缴费凭证", "copy", False)],
        "就业困难人员灵活就业",
    ),
    (
        "ZW-10",
        "个体工商户登记",
        "government",
        "street",
        None,
        "XK-GT-001",
        3,
        "0",
        ["direct", "online"],
        False,
        [ID, ("经营场所证明", "copy", False)],
        "在辖区内从事个体经营的自然人",
    ),
    (
        "ZW-11",
        "食品小作坊登记",
        "government",
        "street",
        None,
        "XK-SP-001",
        10,
        "0",
        ["direct"],
        False,
        [ID, ("经营场所证明", "copy", False), ("从业人员健康证明", "copy", True)],
        "在辖区内从事食品小作坊生产的经营者",
    ),
    (
        "ZW-12",
        "临时救助申请",
        "government",
        "street",
        None,
        "GG-JZ-001",
        10,
        "0",
        ["direct", "proxy", "accompany"],
        True,
        [ID, ("困难情况说明", "original", False)],
        "遭遇突发性、紧迫性困难的家庭",
    ),
    (
        "ZW-13",
        "出生登记（落户）",
        "government",
        "street",
        "S-PCS",
        "",
        3,
        "0",
        ["online", "direct", "proxy"],
        True,
        [("出生医学证明", "original", False), ("父母身份证", "original", False), ("父母户口簿", "original", False)],
        "新生儿父母一方为本区户籍",
    ),
    (
        "ZW-14",
        "社会保障卡申领",
        "government",
        "district",
        "D-RSJ",
        "",
        10,
        "0",
        ["online", "direct", "proxy"],
        True,
        [("父母身份证", "copy", False)],
        "参加本区社会保险的人员",
    ),
    (
        "ZW-15",
        "职工退休申请",
        "government",
        "district",
        "D-RSJ",
        "",
        20,
        "0",
        ["direct", "proxy"],
        True,
        [ID, ("职工档案", "original", False)],
        "达到法定退休年龄的参保职工",
    ),
    (
        "ZW-16",
        "养老金领取资格认证",
        "government",
        "district",
        "D-RSJ",
        "",
        1,
        "0",
        ["online", "direct", "proxy"],
        True,
        [ID],
        "领取养老金的退休人员",
    ),
    (
        "ZW-17",
        "医保关系转移接续",
        "government",
        "district",
        "D-YBJ",
        "",
        15,
        "0",
        ["online", "direct"],
        True,
        [ID, ("参保凭证", "original", False)],
        "跨统筹地区就业的参保人员",
    ),
    (
        "ZW-18",
        "农村宅基地建房申请",
        "government",
        "street",
        None,
        "XK-ZJD-001",
        20,
        "0",
        ["direct", "accompany"],
        False,
        [ID, HUKOU, ("建房申请表", "original", False), ("村民会议决议", "copy", False)],
        "本村集体经济组织成员",
    ),
    (
        "ZW-19",
        "新生儿城乡居民医保参保登记",
        "health",
        "district",
        "D-YBJ",
        "",
        5,
        "0",
        ["online", "direct", "proxy"],
        True,
        [("出生医学证明", "copy", False), ("父母身份证", "copy", False)],
        "本区户籍或居住证持有人的新生儿",
    ),
    # 生活服务
    ("SH-01", "助餐服务登记", "living", "community", None, "", 3, "0", ALL_MODES, False, [ID], "60周岁以上老人"),
    (
        "SH-02",
        "居家养老服务申请",
        "living",
        "street",
        None,
        "GG-LN-003",
        10,
        "0",
        ["direct", "proxy", "accompany"],
        True,
        [ID, ("能力评估表", "original", True)],
        "经评估需要照护的老人",
    ),
    (
        "SH-03",
        "家政服务预约",
        "living",
        "community",
        None,
        "",
        2,
        "50.00",
        ["online", "direct"],
        False,
        [],
        "辖区居民",
    ),
    (
        "SH-04",
        "小修小补便民服务预约",
        "living",
        "community",
        None,
        "",
        2,
        "0",
        ["online", "direct"],
        False,
        [],
        "辖区居民",
    ),
    (
        "SH-05",
        "电动自行车充电桩开户",
        "living",
        "community",
        None,
        "",
        1,
        "0",
        ["online", "direct"],
        False,
        [ID],
        "辖区居民",
    ),
    (
        "SH-06",
        "水电气过户代办",
        "living",
        "community",
        None,
        "",
        5,
        "0",
        ["direct", "proxy"],
        True,
        [ID, ("房产证明", "copy", False)],
        "房屋产权人",
    ),
    # 法律服务
    (
        "FL-01",
        "法律咨询预约",
        "legal",
        "community",
        None,
        "",
        0,
        "0",
        ["online", "direct", "accompany"],
        False,
        [],
        "辖区居民",
    ),
    (
        "FL-02",
        "人民调解申请",
        "legal",
        "community",
        None,
        "",
        15,
        "0",
        ["direct", "accompany"],
        False,
        [ID],
        "发生民间纠纷的当事人",
    ),
    (
        "FL-03",
        "法律援助申请",
        "legal",
        "district",
        "D-MZJ",
        "",
        7,
        "0",
        ["direct", "proxy", "accompany"],
        True,
        [ID, ("经济困难声明", "original", False)],
        "经济困难的公民",
    ),
    ("FL-04", "公证业务预约", "legal", "district", None, "", 5, "0", ["online", "direct"], False, [ID], "辖区居民"),
    (
        "FL-05",
        "遗嘱见证预约",
        "legal",
        "community",
        None,
        "",
        3,
        "0",
        ["direct", "accompany"],
        False,
        [ID],
        "辖区居民",
    ),
    # 健康服务
    (
        "JK-01",
        "家庭医生签约",
        "health",
        "community",
        None,
        "",
        1,
        "0",
        ["online", "direct", "proxy"],
        False,
        [ID],
        "辖区居民",
    ),
    (
        "JK-02",
        "老年人免费体检预约",
        "health",
        "community",
        None,
        "",
        5,
        "0",
        ["online", "direct", "proxy"],
        False,
        [ID],
        "65周岁以上老人",
    ),
    (
        "JK-03",
        "慢性病长处方登记",
        "health",
        "community",
        None,
        "",
        2,
        "0",
        ["direct", "proxy"],
        False,
        [ID, ("病历本", "original", False)],
        "高血压、糖尿病等慢病患者",
    ),
    (
        "JK-04",
        "预防接种预约",
        "health",
        "community",
        None,
        "",
        1,
        "0",
        ["online", "direct"],
        False,
        [("预防接种证", "original", False)],
        "适龄儿童及成人",
    ),
    (
        "JK-05",
        "生育登记",
        "health",
        "street",
        None,
        "GG-SY-001",
        1,
        "0",
        ["online", "direct"],
        True,
        [("夫妻双方身份证", "original", False)],
        "生育子女的夫妻",
    ),
    # 文化服务
    (
        "WH-01",
        "社区图书借阅证办理",
        "culture",
        "community",
        None,
        "",
        0,
        "0",
        ["online", "direct"],
        False,
        [ID],
        "辖区居民",
    ),
    (
        "WH-02",
        "文化活动室预约",
        "culture",
        "community",
        None,
        "",
        1,
        "0",
        ["online", "direct"],
        False,
        [],
        "辖区居民和社会组织",
    ),
    (
        "WH-03",
        "老年学堂报名",
        "culture",
        "community",
        None,
        "",
        3,
        "0",
        ["online", "direct", "proxy"],
        False,
        [ID],
        "55周岁以上居民",
    ),
    (
        "WH-04",
        "青少年暑托班报名",
        "culture",
        "street",
        None,
        "",
        5,
        "0",
        ["online", "direct"],
        False,
        [("户口簿或居住证", "copy", False)],
        "辖区6至12周岁儿童",
    ),
    # 自治共治服务
    (
        "ZZ-01",
        "居民公约意见征集",
        "autonomy",
        "community",
        None,
        "",
        10,
        "0",
        ["online", "direct"],
        False,
        [],
        "辖区居民",
    ),
    (
        "ZZ-02",
        "楼组议事申请",
        "autonomy",
        "community",
        None,
        "",
        7,
        "0",
        ["online", "direct"],
        False,
        [],
        "同一楼组的居民",
    ),
    (
        "ZZ-03",
        "微心愿认领登记",
        "autonomy",
        "community",
        None,
        "",
        5,
        "0",
        ["online", "direct"],
        False,
        [],
        "辖区居民、驻区单位",
    ),
    (
        "ZZ-04",
        "社区公益项目申报",
        "autonomy",
        "street",
        None,
        "",
        20,
        "0",
        ["direct"],
        False,
        [("项目申报书", "original", False)],
        "社区社会组织、居民自治团队",
    ),
]

# Forms for the bundle items (entered once for the whole bundle).
FORM_FIELDS = {
    "ZW-13": [
        {"name": "child_name", "label": "新生儿姓名", "required": True},
        {"name": "birth_date", "label": "出生日期", "kind": "date", "required": True},
    ],
    "ZW-19": [{"name": "child_name", "label": "新生儿姓名", "required": True}],
    "ZW-14": [{"name": "child_name", "label": "申领人姓名", "required": False}],
    "ZW-15": [{"name": "retire_date", "label": "退休日期", "kind": "date", "required": True}],
    "ZW-16": [{"name": "retire_date", "label": "退休日期", "kind": "date", "required": False}],
}

# (unit key, code, name, kind, source, department code, legal basis, law area, category code)
DUTIES = [
    (
        "street",
        "GG-LN-001",
        "老年人优待证办理",
        "public_service",
        "law",
        None,
        "《中华人民共和国老年人权益保障法》第五十七条",
        "",
        "CA01",
    ),
    (
        "street",
        "GG-LN-002",
        "高龄津贴审核",
        "benefit",
        "law",
        None,
        "《中华人民共和国老年人权益保障法》第三十三条",
        "",
        "",
    ),
    (
        "street",
        "GG-LN-003",
        "居家养老服务对象评估",
        "public_service",
        "law",
        None,
        "《养老服务条例》（地方性法规）",
        "",
        "CA01",
    ),
    (
        "street",
        "GG-DB-001",
        "最低生活保障审核确认",
        "confirmation",
        "law",
        None,
        "《社会救助暂行办法》第十一条",
        "",
        "SS03",
    ),
    ("street", "GG-JZ-001", "临时救助审批", "benefit", "law", None, "《社会救助暂行办法》第四十八条", "", ""),
    (
        "street",
        "GG-SY-001",
        "生育登记服务",
        "public_service",
        "law",
        None,
        "《中华人民共和国人口与计划生育法》",
        "",
        "",
    ),
    ("street", "CA-TJ-001", "民间纠纷调解", "duty", "law", None, "《中华人民共和国人民调解法》第七条", "", "CA04"),
    (
        "street",
        "CF-CG-003",
        "对占道经营的行政处罚",
        "penalty",
        "delegated",
        "S-ZFD",
        "《城市市容和环境卫生管理条例》第三十六条",
        "市容环境",
        "UC03",
    ),
    (
        "street",
        "CF-CG-004",
        "对违法建设的行政处罚",
        "penalty",
        "delegated",
        "S-ZFD",
        "《中华人民共和国城乡规划法》第六十四条",
        "城乡规划",
        "UC04",
    ),
    (
        "street",
        "CF-HJ-002",
        "对露天焚烧和餐饮油烟的行政处罚",
        "penalty",
        "entrusted",
        "S-ZFD",
        "《中华人民共和国大气污染防治法》第一百一十八条",
        "生态环境",
        "EN02",
    ),
    (
        "township",
        "GG-LN-001",
        "老年人优待证办理",
        "public_service",
        "law",
        None,
        "《中华人民共和国老年人权益保障法》第五十七条",
        "",
        "CA01",
    ),
    (
        "township",
        "GG-LN-002",
        "高龄津贴审核",
        "benefit",
        "law",
        None,
        "《中华人民共和国老年人权益保障法》第三十三条",
        "",
        "",
    ),
    (
        "township",
        "GG-DB-001",
        "最低生活保障审核确认",
        "confirmation",
        "law",
        None,
        "《社会救助暂行办法》第十一条",
        "",
        "SS03",
    ),
    ("township", "GG-JZ-001", "临时救助审批", "benefit", "law", None, "《社会救助暂行办法》第四十八条", "", ""),
    (
        "township",
        "GG-SY-001",
        "生育登记服务",
        "public_service",
        "law",
        None,
        "《中华人民共和国人口与计划生育法》",
        "",
        "",
    ),
    (
        "township",
        "XK-ZJD-001",
        "农村村民宅基地建房审批",
        "licensing",
        "law",
        "T-NYB",
        "《中华人民共和国土地管理法》第六十二条",
        "",
        "AG02",
    ),
    # 扩权强镇: powers handed down from the district to 青山镇
    (
        "township",
        "XK-GT-001",
        "个体工商户登记",
        "licensing",
        "delegated",
        "T-FWZX",
        "《促进个体工商户发展条例》；区政府扩权强镇赋权决定",
        "",
        "",
    ),
    (
        "township",
        "XK-SP-001",
        "食品小作坊登记",
        "licensing",
        "delegated",
        "T-FWZX",
        "《中华人民共和国食品安全法》第三十六条；区政府扩权强镇赋权决定",
        "",
        "MK02",
    ),
    (
        "township",
        "XK-GG-001",
        "户外广告设施设置审批",
        "licensing",
        "delegated",
        "T-FWZX",
        "《城市市容和环境卫生管理条例》第十一条；区政府扩权强镇赋权决定",
        "",
        "UC06",
    ),
    (
        "township",
        "CF-CG-004",
        "对违法建设的行政处罚",
        "penalty",
        "delegated",
        "T-ZFD",
        "《中华人民共和国城乡规划法》第六十五条；区政府扩权强镇赋权决定",
        "城乡规划",
        "UC04",
    ),
    (
        "township",
        "CF-NY-001",
        "对违法占用耕地建房的行政处罚",
        "penalty",
        "delegated",
        "T-ZFD",
        "《中华人民共和国土地管理法》第七十八条；区政府扩权强镇赋权决定",
        "农业农村",
        "AG02",
    ),
    (
        "township",
        "CF-HJ-001",
        "对秸秆露天焚烧的行政处罚",
        "penalty",
        "entrusted",
        "T-ZFD",
        "《中华人民共和国大气污染防治法》第一百一十九条",
        "生态环境",
        "EN01",
    ),
    (
        "township",
        "CF-SC-001",
        "对无证经营食品小作坊的行政处罚",
        "penalty",
        "delegated",
        "T-ZFD",
        "《中华人民共和国食品安全法》第一百二十二条；区政府扩权强镇赋权决定",
        "市场监管",
        "MK02",
    ),
    ("district", "XK-GT-001", "个体工商户登记", "licensing", "law", "D-SCJ", "《促进个体工商户发展条例》", "", ""),
    (
        "district",
        "XK-SP-001",
        "食品小作坊登记",
        "licensing",
        "law",
        "D-SCJ",
        "《中华人民共和国食品安全法》第三十六条",
        "",
        "MK02",
    ),
    (
        "district",
        "XK-GG-001",
        "户外广告设施设置审批",
        "licensing",
        "law",
        "D-CGW",
        "《城市市容和环境卫生管理条例》第十一条",
        "",
        "UC06",
    ),
]

CERT_TYPES = [
    (
        "ZM-JZ",
        "居住证明",
        "《居住证暂行条例》第九条",
        "社区居民委员会/村民委员会",
        "房屋租赁合同或房产证明；居民身份证；入户核实",
        90,
    ),
    (
        "ZM-KN",
        "家庭经济困难情况证明",
        "《社会救助暂行办法》第十一条",
        "社区居民委员会/村民委员会",
        "家庭收入情况说明；入户核查记录",
        180,
    ),
    (
        "ZM-SW",
        "居民死亡证明（非正常死亡以外的居家死亡）",
        "《国家卫生健康委 公安部 民政部关于进一步规范人口死亡医学证明和信息登记管理工作的通知》",
        "社区居民委员会/村民委员会",
        "社区卫生服务中心出具的死亡医学证明（推断）书；家属身份证",
        365,
    ),
    ("ZM-ZR", "自然灾害受灾情况证明", "《自然灾害救助条例》第十四条", "村民委员会", "受灾现场核实记录；照片", 180),
]
GUIDES = [
    (
        "无犯罪记录证明",
        "犯罪记录,违法犯罪",
        "competent_department",
        "户籍所在地或居住地公安派出所",
        "属公安机关职责，社区无权出具",
    ),
    (
        "亲属关系证明",
        "亲属,父子,母子,夫妻关系",
        "data_available",
        "户口簿、出生医学证明或结婚证即可证明；无法证明的由公安机关或公证机构出具",
        "已有证件可证明，不再由社区出具",
    ),
    (
        "健在证明（生存证明）",
        "健在,生存,活着",
        "self_declaration",
        "养老金资格认证改为刷脸认证，本人到场或视频即可",
        "无法定依据，可通过数据核验或本人承诺替代",
    ),
    (
        "婚姻状况证明",
        "未婚,单身,婚姻",
        "data_available",
        "民政部门婚姻登记信息可查询；需要时由本人书面承诺",
        "无法定依据",
    ),
    ("房屋产权证明", "产权,房产", "competent_department", "区不动产登记中心", "属不动产登记机构职责"),
    ("收入证明", "工资,收入", "competent_department", "申请人所在工作单位", "应由用人单位出具"),
]


def _user(ctx: DemoContext, username: str, display: str, role: str, unit: Any) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = people_actions.user_create(
            actor=ctx.admin, username=username, password=DEMO_PASSWORD, display_name=display
        )
    if not RoleGrant.objects.active().filter(user=user, role=role, unit=unit).exists():
        people_actions.grant_create(actor=ctx.admin, user=user, role=role, unit=unit, valid_from=dt.date(2024, 1, 1))
    return user


def _departments(ctx: DemoContext) -> dict[str, Department]:
    d = dict(ctx.departments)
    extra = [
        (ctx.district, "区医疗保障局", DepartmentKind.DISTRICT_BUREAU, "D-YBJ"),
        (ctx.district, "区人力资源和社会保障局", DepartmentKind.DISTRICT_BUREAU, "D-RSJ"),
        (ctx.township, "青山镇综合行政执法队", DepartmentKind.ENFORCEMENT, "T-ZFD"),
    ]
    for unit, name, kind, code in extra:
        d[code] = _department(ctx.admin, unit, name, kind, code)
    return d


def _duties(ctx: DemoContext, depts: dict[str, Department]) -> dict[tuple[str, str], Duty]:
    units = {"street": ctx.street, "township": ctx.township, "district": ctx.district}
    out = {}
    for key, code, name, kind, source, dept, basis, area, category in DUTIES:
        unit = units[key]
        duty = Duty.objects.filter(unit=unit, code=code).first()
        if duty is None:
            duty = actions.duty_create(
                actor=ctx.admin,
                unit=unit,
                code=code,
                name=name,
                kind=kind,
                source=source,
                department=depts[dept] if dept else None,
                legal_basis=basis,
                law_area=area,
                category_code=category,
                delegated_from=ctx.district if source != "law" else None,
                delegation_document="示范区扩权强镇赋权事项目录（2024年第1批）" if source != "law" else "",
                effective_from=dt.date(2024, 1, 1),
            )
        out[(key, code)] = duty
    return out


def _items(ctx: DemoContext, depts: dict[str, Department]) -> dict[str, ServiceItem]:
    out = {}
    for code, name, category, level, dept, matter, days, fee, modes, remote, materials, eligibility in ITEMS:
        item = ServiceItem.objects.filter(code=code).first()
        if item is None:
            item = actions.item_create(
                actor=ctx.admin,
                owner_unit=ctx.district,
                code=code,
                name=name,
                category=category,
                finish_level=level,
                finish_department=depts[dept] if dept else None,
                matter_code=matter,
                time_limit_days=days,
                promised_days=max(0, days - 2) if days > 5 else None,
                fee=fee,
                modes=modes,
                remote_finish=remote,
                eligibility=eligibility,
                form_fields=FORM_FIELDS.get(code, []),
                materials=[{"name": n, "form": f, "deferrable": d} for n, f, d in materials],
            )
        out[code] = item
    return out


def _points(ctx: DemoContext, items: dict[str, ServiceItem]) -> dict[str, ServicePoint]:
    specs = [
        (
            "doorstep",
            ctx.communities[0],
            "光明社区家门口服务站",
            PointKind.DOORSTEP,
            "光明路1号光明社区党群服务中心一楼",
            "周一至周六 8:30-17:30（午间不休）",
            "010-55550101",
            [ServiceKind.GOVERNMENT, ServiceKind.LIVELIHOOD],
        ),
        (
            "doorstep2",
            ctx.communities[1],
            "幸福社区家门口服务站",
            PointKind.DOORSTEP,
            "幸福路18号",
            "周一至周六 8:30-17:30",
            "010-55550102",
            [ServiceKind.GOVERNMENT, ServiceKind.LIVELIHOOD],
        ),
        (
            "centre",
            ctx.street,
            "和平街道社区事务受理服务中心",
            PointKind.STREET_CENTRE,
            "和平大街100号",
            "工作日 9:00-17:00，周六上午 9:00-12:00",
            "010-55550100",
            [ServiceKind.GOVERNMENT],
        ),
        (
            "township",
            ctx.township,
            "青山镇便民服务中心",
            PointKind.TOWNSHIP_CENTRE,
            "青山镇人民政府一楼大厅",
            "工作日 8:30-12:00，14:00-17:30",
            "0855-5550200",
            [ServiceKind.GOVERNMENT, ServiceKind.LIVELIHOOD],
        ),
        (
            "village",
            ctx.villages[0],
            "东坡村村社宜站",
            PointKind.VILLAGE,
            "东坡村村委会一楼",
            "每天 8:00-20:00",
            "0855-5550201",
            list(ServiceKind.values),
        ),
    ]
    out = {}
    for key, unit, name, kind, address, hours, phone, kinds in specs:
        point = ServicePoint.objects.filter(unit=unit, name=name).first()
        if point is None:
            point = actions.point_create(
                actor=ctx.admin,
                unit=unit,
                name=name,
                kind=kind,
                address=address,
                opening_hours=hours,
                phone=phone,
                service_kinds=kinds,
            )
        out[key] = point
    urban = [i for c, i in items.items() if c != "ZW-18" and not c.startswith(("ZW-10", "ZW-11"))]
    actions.point_update(
        actor=ctx.admin,
        point=out["doorstep"],
        items=urban,
        staff=[ctx.users["community_worker"], ctx.users["community_head"]],
        duty_note="全岗通社工轮值；周六由社区工作者吴娟值班",
    )
    actions.point_update(actor=ctx.admin, point=out["doorstep2"], items=urban)
    actions.point_update(
        actor=ctx.admin,
        point=out["centre"],
        items=[i for c, i in items.items() if i.finish_level != "community" and c not in ("ZW-10", "ZW-11", "ZW-18")],
        staff=[ctx.users["street_staff"]],
    )
    rural = [i for c, i in items.items() if c not in ("SH-05", "SH-03")]
    actions.point_update(actor=ctx.admin, point=out["township"], items=rural, staff=[ctx.users["township_staff"]])
    village_items = [
        items[c]
        for c in (
            "ZW-01",
            "ZW-03",
            "ZW-05",
            "ZW-07",
            "ZW-06",
            "ZW-12",
            "ZW-16",
            "ZW-18",
            "SH-01",
            "JK-01",
            "JK-02",
            "FL-01",
            "FL-02",
            "WH-01",
        )
    ]
    actions.point_update(
        actor=ctx.admin,
        point=out["village"],
        items=village_items,
        staff=[ctx.users["village_worker"]],
        duty_note="村专干每日值守；快递、助农取款全天可办",
    )
    return out


def _certificate_catalogue(ctx: DemoContext) -> dict[str, CertificateType]:
    out = {}
    for code, name, basis, issuer, evidence, days in CERT_TYPES:
        ctype = CertificateType.objects.filter(code=code).first()
        if ctype is None:
            ctype = actions.certificate_type_create(
                actor=ctx.admin,
                owner_unit=ctx.district,
                code=code,
                name=name,
                legal_basis=basis,
                issuer=issuer,
                required_evidence=evidence,
                validity_days=days,
            )
        out[code] = ctype
    for name, keywords, kind, go_to, reason in GUIDES:
        if not RedirectGuide.objects.filter(owner_unit=ctx.district, name=name).exists():
            actions.redirect_guide_create(
                actor=ctx.admin,
                owner_unit=ctx.district,
                name=name,
                keywords=keywords,
                kind=kind,
                go_to=go_to,
                reason=reason,
            )
    return out


def _residents_of(unit: Any, n: int) -> list[Resident]:
    return list(
        Resident.objects.filter(unit__path__startswith=unit.path, moved_out_on__isnull=True).order_by("id")[:n]
    )


@transaction.atomic
def load(ctx: DemoContext) -> None:
    ctx.users["village_worker"] = _user(
        ctx, "village_worker", "东坡村专干 杨芳", Role.COMMUNITY_WORKER, ctx.villages[0]
    )
    depts = _departments(ctx)
    _duties(ctx, depts)
    items = _items(ctx, depts)
    _bundles(ctx, items)
    points = _points(ctx, items)
    ctypes = _certificate_catalogue(ctx)
    if Application.objects.filter(point__in=points.values()).exists():
        ctx.log("  services activity already loaded")
        return
    _applications(ctx, items, points)
    _certificates(ctx, ctypes)
    _village(ctx, points["village"])
    _cases(ctx, depts)
    ctx.log(f"  services: {ServiceItem.objects.count()} items, {Application.objects.count()} applications")


def _bundles(ctx: DemoContext, items: dict[str, ServiceItem]) -> None:
    for code, name, desc, members in (
        ("NEWBORN", "新生儿出生一件事", "出生登记、医保参保、社保卡申领一次办", ["ZW-13", "ZW-19", "ZW-14"]),
        ("RETIRE", "退休一件事", "职工退休、医保关系接续、养老金领取资格认证一次办", ["ZW-15", "ZW-17", "ZW-16"]),
    ):
        if not BundleTemplate.objects.filter(code=code).exists():
            actions.bundle_template_create(
                actor=ctx.admin,
                owner_unit=ctx.district,
                code=code,
                name=name,
                description=desc,
                items=[items[c] for c in members],
            )


def _applications(ctx: DemoContext, items: dict[str, ServiceItem], points: dict[str, ServicePoint]) -> None:
    worker = ctx.users["community_worker"]
    head = ctx.users["community_head"]
    grid = ctx.users["grid_worker"]
    street = ctx.users["street_staff"]
    town = ctx.users["township_staff"]
    village = ctx.users["village_worker"]
    admin = ctx.users["district_admin"]
    doorstep, centre, township, village_point = (
        points["doorstep"],
        points["centre"],
        points["township"],
        points["village"],
    )
    gm = _residents_of(ctx.grids[0], 30)
    dp = _residents_of(ctx.villages[0], 12)
    full = lambda item: [m.name for m in item.materials.all()]  # noqa: E731

    def take(actor: Any, code: str, point: ServicePoint, mode: str, resident: Resident, **kw: Any) -> Application:
        item = items[code]
        return actions.application_submit(
            actor=actor,
            item=item,
            point=point,
            mode=mode,
            resident=resident,
            supplied_materials=kw.pop("materials", full(item)),
            **kw,
        )

    def run(app: Application, actor: Any, upto: str, deliver: str = "mail") -> Application:
        steps = ["accept", "start", "complete", "deliver"]
        for step in steps[: steps.index(upto) + 1]:
            if step == "accept":
                app = actions.application_accept(actor=actor, application=app)
            elif step == "start":
                app = actions.application_start(actor=actor, application=app)
            elif step == "complete":
                app = actions.application_complete(actor=actor, application=app, note="已办结")
            else:
                app = actions.application_deliver(
                    actor=worker if app.point == doorstep else actor, application=app, method=deliver
                )
        return app

    # 直办 at the doorstep in every state, finished remotely by the street centre.
    run(take(worker, "ZW-01", doorstep, "direct", gm[0]), street, "deliver")
    run(take(worker, "ZW-05", doorstep, "direct", gm[1]), street, "deliver", deliver="desk")
    run(take(worker, "SH-01", doorstep, "direct", gm[2]), head, "complete")
    run(take(worker, "JK-01", doorstep, "direct", gm[3]), head, "start")
    run(take(worker, "ZW-08", doorstep, "direct", gm[4]), street, "accept")
    take(worker, "WH-01", doorstep, "direct", gm[5])
    refused = take(worker, "ZW-03", doorstep, "direct", gm[6])
    actions.application_refuse(
        actor=street, application=refused, reason="家庭人均收入高于本区低保标准，不符合申请条件"
    )
    # 容缺受理: the hukou book comes later.
    pending = take(worker, "ZW-05", doorstep, "direct", gm[7], materials=["居民身份证", "银行卡复印件"])
    actions.application_accept(
        actor=street, application=pending, materials_due_on=timezone.localdate() + dt.timedelta(days=5)
    )
    # 代办 by the grid worker for an elderly resident: authorization signed on screen, custody log balanced.
    proxy = take(worker, "ZW-01", doorstep, "proxy", gm[8])
    _authorize(ctx, proxy, grid)
    _custody_round_trip(proxy, grid, ["居民身份证", "户口簿", "一寸免冠照片"])
    run(proxy, street, "complete")
    actions.application_deliver(actor=grid, application=proxy, method="agent")
    proxy2 = take(worker, "ZW-03", doorstep, "proxy", gm[9])
    _authorize(ctx, proxy2, grid)
    actions.custody_record(
        actor=grid,
        application=proxy2,
        document="居民身份证",
        quantity=1,
        from_party="resident",
        to_party=f"user:{grid.pk}",
    )
    actions.custody_record(
        actor=grid,
        application=proxy2,
        document="居民身份证",
        quantity=1,
        from_party=f"user:{grid.pk}",
        to_party=f"unit:{proxy2.handling_unit_id}",
    )
    run(proxy2, street, "start")
    # 陪办: an appointment with the community head.
    acc = take(worker, "ZW-04", doorstep, "accompany", gm[10])
    appt = actions.appointment_create(
        actor=worker, application=acc, staff=head, at=timezone.now() + dt.timedelta(hours=2), place="区残联服务大厅"
    )
    run(acc, admin, "start")
    acc2 = take(worker, "FL-03", doorstep, "accompany", gm[11])
    appt2 = actions.appointment_create(
        actor=worker, application=acc2, staff=head, at=timezone.now() + dt.timedelta(hours=1), place="区法律援助中心"
    )
    actions.appointment_finish(actor=worker, appointment=appt2, held=True)
    run(acc2, admin, "deliver", deliver="desk")
    del appt
    # Online applications by residents; the demo resident applies for the elderly card.
    resident_user = ctx.users["resident"]
    mine = actions.application_submit(
        actor=resident_user, item=items["ZW-07"], mode="online", supplied_materials=full(items["ZW-07"])
    )
    run(mine, admin, "complete")
    actions.application_submit(
        actor=resident_user, item=items["WH-03"], mode="online", supplied_materials=["居民身份证"]
    )
    # Street centre and township one-window.
    run(take(street, "ZW-02", centre, "direct", gm[12]), street, "deliver", deliver="desk")
    withdrawn = actions.application_submit(actor=resident_user, item=items["SH-04"], mode="online")
    actions.application_withdraw(actor=resident_user, application=withdrawn, reason="已自行修好")
    run(take(town, "ZW-10", township, "direct", dp[0]), town, "deliver", deliver="desk")
    food = take(town, "ZW-11", township, "direct", dp[1], materials=["居民身份证", "经营场所证明"])
    actions.application_accept(
        actor=town, application=food, materials_due_on=timezone.localdate() + dt.timedelta(days=10)
    )
    run(take(town, "ZW-18", township, "accompany", dp[2], materials=full(items["ZW-18"])), town, "accept")
    # The village point: the village worker takes, the township finishes.
    vproxy = take(village, "ZW-05", village_point, "proxy", dp[3])
    _authorize(ctx, vproxy, village)
    _custody_round_trip(vproxy, village, ["居民身份证", "户口簿"])
    run(vproxy, town, "complete")
    actions.application_deliver(actor=village, application=vproxy, method="agent")
    run(take(village, "JK-02", village_point, "direct", dp[4]), village, "deliver", deliver="desk")
    take(village, "FL-02", village_point, "direct", dp[5])
    # Bundles: a newborn at the doorstep (half done) and a retirement one.
    newborn = actions.bundle_submit(
        actor=worker,
        template=BundleTemplate.objects.get(code="NEWBORN"),
        point=doorstep,
        mode="direct",
        resident=gm[13],
        form_data={
            "child_name": gm[13].name[0] + "小宝",
            "birth_date": (timezone.localdate() - dt.timedelta(days=9)).isoformat(),
        },
        supplied_materials=["出生医学证明", "父母身份证", "父母户口簿"],
    )
    for index, app in enumerate(newborn.applications.order_by("id")):
        run(app, admin, "complete" if index < 2 else "accept")
    retire = actions.bundle_submit(
        actor=worker,
        template=BundleTemplate.objects.get(code="RETIRE"),
        point=doorstep,
        mode="direct",
        resident=gm[14],
        form_data={"retire_date": timezone.localdate().replace(day=1).isoformat()},
        supplied_materials=["居民身份证", "职工档案", "参保凭证"],
    )
    for app in retire.applications.order_by("id"):
        run(app, admin, "deliver")
    # Ratings by the applicants who have accounts.
    for app in Application.objects.filter(applicant=resident_user, status__in=["done", "delivered"]):
        actions.rating_create(
            actor=resident_user, application=app, satisfaction="satisfied", comment="不用跑腿，很方便"
        )


PNG_SIGNATURE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63606060f80f0001040100bfd3f2050000000049454e44ae426082"
)


def _authorize(ctx: DemoContext, app: Application, agent: User) -> None:
    actions.authorization_record(
        actor=agent,
        application=app,
        kind="signature",
        data=PNG_SIGNATURE,
        signer_name=app.applicant_name,
        scope=f"代为办理{app.item.name}",
        agent=agent,
    )


def _custody_round_trip(app: Application, agent: User, documents: list[str]) -> None:
    me, centre = f"user:{agent.pk}", f"unit:{app.handling_unit_id}"
    for doc in documents:
        actions.custody_record(
            actor=agent, application=app, document=doc, quantity=1, from_party="resident", to_party=me
        )
        actions.custody_record(actor=agent, application=app, document=doc, quantity=1, from_party=me, to_party=centre)
    for doc in documents:
        actions.custody_record(actor=agent, application=app, document=doc, quantity=1, from_party=centre, to_party=me)
        actions.custody_record(
            actor=agent, application=app, document=doc, quantity=1, from_party=me, to_party="resident"
        )


def _certificates(ctx: DemoContext, ctypes: dict[str, CertificateType]) -> None:
    worker = ctx.users["community_worker"]
    head = ctx.users["community_head"]
    gm = _residents_of(ctx.grids[0], 6)
    unit = ctx.communities[0]
    issued = []
    for resident, (code, purpose, content) in zip(
        gm,
        [
            ("ZM-JZ", "子女入学", "该居民自2019年起实际居住在光明社区。"),
            ("ZM-KN", "申请助学金", "经入户核查，该户家庭人均月收入低于本市最低工资标准。"),
            ("ZM-JZ", "办理居住证", "该居民现居住在光明社区，居住已满六个月。"),
            ("ZM-JZ", "租房备案", "该居民现居住在光明社区。"),
        ],
        strict=False,
    ):
        issued.append(
            actions.certificate_issue(
                actor=worker,
                unit=unit,
                ctype=ctypes[code],
                holder_name="",
                holder_resident=resident,
                purpose=purpose,
                content=content,
                evidence="居民身份证；房屋租赁合同；社区入户核实记录",
            )
        )
    if ctx.users.get("resident") and Resident.objects.filter(user=ctx.users["resident"]).exists():
        own = Resident.objects.get(user=ctx.users["resident"])
        actions.certificate_issue(
            actor=worker,
            unit=unit,
            ctype=ctypes["ZM-JZ"],
            holder_name="",
            holder_resident=own,
            purpose="办理老年人优待证",
            content="该居民长期居住在光明社区。",
            evidence="户口簿；入户核实",
        )
    actions.certificate_revoke(actor=head, certificate=issued[-1], reason="居民已搬离本社区，证明内容不再属实")
    for requested, name in (
        ("无犯罪记录证明", "郑先生"),
        ("亲属关系证明", "王女士"),
        ("健在证明", "李大爷"),
        ("收入证明", "赵女士"),
        ("无犯罪记录证明", "钱先生"),
    ):
        actions.certificate_redirect(actor=worker, unit=unit, requested=requested, requester_name=name)
    actions.certificate_refuse(
        actor=worker, unit=unit, ctype=ctypes["ZM-KN"], reason="入户核查情况与申报收入不符", requester_name="孙先生"
    )


def _village(ctx: DemoContext, point: ServicePoint) -> None:
    worker = ctx.users["village_worker"]
    rng = ctx.rng
    now = timezone.now()
    carriers = ["中国邮政", "顺丰", "中通", "圆通", "极兔"]
    names = ["杨老伯", "吴阿姨", "龙大哥", "潘奶奶", "石小妹", "王婶", "欧阳叔"]
    for days_ago in range(150, -1, -3):
        at = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8))
        for n in range(rng.randint(1, 3)):
            actions.parcel_record(
                actor=worker,
                point=point,
                direction="in" if n or rng.random() < 0.6 else "out",
                tracking_number=f"DP{at:%Y%m%d}{n}{rng.randint(1000, 9999)}",
                carrier=rng.choice(carriers),
                party_name=rng.choice(names),
                at=at,
            )
        if days_ago % 6 == 0:
            actions.finance_record(
                actor=worker,
                point=point,
                service=rng.choice(["withdrawal", "bill", "insurance", "transfer", "card"]),
                resident_name=rng.choice(names),
                amount=str(Decimal(rng.choice([100, 200, 300, 500, 800, 1000, 0]))),
                institution="青山农村商业银行",
                reference=f"NS{at:%Y%m%d}{rng.randint(100, 999)}",
                at=at,
            )
    for product, qty, measure, price, seller, buyer in (
        ("香猪", "300", "斤", "19.80", "东坡村杨家养殖场", ("凯里农投公司", "0855-8221001")),
        ("高山茶叶", "50", "斤", "160.00", "潘奶奶", ("黔东南茶叶合作社", "0855-8221002")),
        ("稻花鱼", "200", "斤", "25.00", "龙大哥", None),
        ("红米", "500", "斤", "8.50", "东坡村合作社", ("市机关食堂", "0855-8221003")),
        ("刺梨", "800", "斤", "3.20", "石小妹", None),
    ):
        listing = actions.listing_create(
            actor=worker,
            point=point,
            product=product,
            quantity=qty,
            measure=measure,
            price=price,
            seller_name=seller,
            seller_contact="138" + str(rng.randint(10000000, 99999999)),
        )
        if buyer:
            actions.listing_sell(actor=worker, listing=listing, buyer_name=buyer[0], buyer_contact=buyer[1])
    first = ParcelLog.objects.filter(point=point, direction="in", picked_up_at__isnull=True).order_by("at").first()
    if first:
        actions.parcel_pickup(actor=worker, parcel=first)
    assert FinanceLog.objects.filter(point=point).exists() and ProduceListing.objects.filter(point=point).exists()


def _case_appeal(ctx: DemoContext, actor: Any) -> str:
    """A real 违法建设 appeal in the first community for the demo case: the appeals demo's, or one taken now."""
    from gongzhi.appeals import actions as appeal_actions
    from gongzhi.appeals.models import Appeal

    unit = ctx.communities[0]
    number = (
        Appeal.objects.filter(unit_path__startswith=unit.path, category__code="UC04")
        .order_by("-submitted_at")
        .values_list("number", flat=True)
        .first()
    )
    if number:
        return number
    appeal = appeal_actions.appeal_submit(
        actor=actor,
        channel="grid_patrol",
        category="UC04",
        description="光明社区3号楼顶住户违法搭建彩钢房约20平方米。",
        unit=unit,
    )
    return appeal.number


def _cases(ctx: DemoContext, depts: dict[str, Department]) -> None:
    street = ctx.users["street_staff"]
    town = ctx.users["township_staff"]
    team, town_team = depts["S-ZFD"], depts["T-ZFD"]
    a = actions.case_register(
        actor=street,
        unit=ctx.communities[0],
        team=team,
        source="appeal",
        appeal_number=_case_appeal(ctx, street),
        law_area="城乡规划",
        summary="居民反映光明社区3号楼顶违法搭建彩钢房约20平方米。",
        location="光明社区3号楼顶",
        party_name="3号楼602室住户",
    )
    actions.case_investigate(actor=street, case=a, findings="现场勘验确认违法搭建，当事人无规划许可。")
    power = Duty.objects.get(unit=ctx.street, code="CF-CG-004")
    actions.case_decide(
        actor=street,
        case=a,
        decision="penalty",
        duty=power,
        penalty_amount="5000",
        penalty_text="限期十五日内自行拆除，并处罚款",
    )
    actions.case_execute(actor=street, case=a, note="当事人已自行拆除并缴纳罚款。")
    actions.case_close(actor=street, case=a, note="整改到位，结案。")
    b = actions.case_register(
        actor=street,
        unit=ctx.street,
        team=team,
        source="patrol",
        law_area="市容环境",
        summary="早市时段和平大街东口多处占道经营。",
        location="和平大街东口",
        party_name="流动摊贩（5户）",
    )
    actions.case_investigate(actor=street, case=b, findings="现场劝导后已自行撤离，属初次违法。")
    actions.case_decide(actor=street, case=b, decision="none", note="初次违法且及时改正，依法不予处罚，予以教育。")
    actions.case_register(
        actor=street,
        unit=ctx.street,
        team=team,
        source="report",
        law_area="生态环境",
        summary="群众举报餐馆油烟直排。",
        location="幸福路28号",
        party_name="某餐馆",
    )
    c = actions.case_register(
        actor=town,
        unit=ctx.villages[1],
        team=town_team,
        source="patrol",
        law_area="农业农村",
        summary="西河村村民未经批准占用耕地建房。",
        location="西河村三组",
        party_name="村民某某",
    )
    actions.case_investigate(actor=town, case=c, findings="占用基本农田约120平方米，未取得宅基地批准。")
    assert EnforcementCase.objects.count() >= 4 and Certificate.objects.exists()
