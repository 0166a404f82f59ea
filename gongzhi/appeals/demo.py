"""Demo data for appeals: routing rules for the demo departments, handlers, and about 360 appeals over the
last twelve months in every state, written through the actions on a simulated clock, then the rollups.

Idempotent: rules and users are found before they are made; appeals are generated only once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Iterator
from typing import Any
from unittest import mock

from django.utils import timezone

from gongzhi.appeals import actions, metrics
from gongzhi.appeals.models import Appeal, Category, RoutingRule
from gongzhi.lib.errors import DomainError
from gongzhi.people import actions as people_actions
from gongzhi.people.models import RoleGrant, User
from gongzhi.people.roles import Role
from gongzhi.web.demo import DEMO_PASSWORD, DemoContext

APPEALS = 360
TZ = dt.timezone(dt.timedelta(hours=8))

# (category code, unit key, department code, priority): the demo district's routing.
RULES = [
    ("UC", "street", "S-CGK", 0),
    ("UC04", "street", "S-ZFD", 0),
    ("NO", "street", "S-ZFD", 0),
    ("UC", "township", "D-CGW", 0),
    ("NO", "township", "D-CGW", 0),
    ("UT02", "district", "D-GDGS", 0),
    ("UT03", "district", "D-CGW", 0),
    ("UT04", "district", "D-CGW", 0),
    ("AG04", "district", "D-GDGS", 0),
    ("UT01", "district", "D-ZLS", 0),
    ("UT05", "district", "D-ZLS", 0),
    ("PM", "district", "D-ZJW", 0),
    ("HO", "district", "D-ZJW", 0),
    ("MK", "district", "D-SCJ", 0),
    ("SS", "district", "D-MZJ", 0),
    ("CA", "district", "D-MZJ", 0),
    ("CA", "community:0", "C-GMJWH", 0),
    ("PS01", "street", "S-PCS", 0),
    ("PS", "township", "T-PCS", 0),
    ("AG", "township", "T-NYB", 0),
    ("CA02", "township", "T-FWZX", 0),
]

# Extra handlers so every routed department can work its appeals: (username, name, department code).
HANDLERS = [
    ("cgk_handler", "街道城管科 马骏", "S-CGK"),
    ("zfd_handler", "综合执法队 罗刚", "S-ZFD"),
    ("power_handler", "供电公司 林峰", "D-GDGS"),
    ("water_handler", "自来水公司 何洁", "D-ZLS"),
    ("zjw_handler", "住建委 梁宇", "D-ZJW"),
    ("scj_handler", "市场监管局 宋雪", "D-SCJ"),
    ("mzj_handler", "民政局 唐丽", "D-MZJ"),
    ("police_handler", "和平派出所 韩冰", "S-PCS"),
    ("town_police", "青山派出所 冯涛", "T-PCS"),
    ("nyb_handler", "镇农业农村办 邓卫", "T-NYB"),
    ("fwzx_handler", "镇便民服务中心 曹敏", "T-FWZX"),
]

# Typical texts per category (what residents actually write).
TEXTS = {
    "UC01": ["小区门口路面脏乱，落叶和垃圾几天没人清扫。", "菜市场旁边污水横流，气味很大，请安排保洁。"],
    "UC02": ["楼下垃圾桶满了三天没人清运，天热气味很大。", "垃圾分类站周末没人值守，垃圾堆到了路边。"],
    "UC03": ["小学门口放学时段有流动摊贩占道，孩子过马路很危险。", "夜市摊位占满人行道，轮椅推不过去。"],
    "UC04": ["5号楼顶层住户在楼顶私自加盖房屋，存在安全隐患。", "一楼住户把院子围起来搭了彩钢棚。"],
    "UC05": ["小区里的大树枝干快碰到电线了，请尽快修剪。", "绿化带被人开垦种菜，希望恢复绿地。"],
    "UC06": ["电线杆上贴满小广告，清理后又被贴上。"],
    "PM01": ["物业不按时打扫楼道，多次反映没有改善。", "物业收费后服务不到位，门禁坏了两个月没修。"],
    "PM02": ["3号楼电梯这周坏了三次，老人上下楼很困难。", "电梯运行时有异响，担心安全。"],
    "PM03": ["小区车位被外来车辆长期占用。"],
    "UT01": ["我们楼从早上开始停水，也没有提前通知。", "自来水发黄，有异味，不敢饮用。"],
    "UT02": ["整栋楼突然停电，冰箱里的东西都要坏了。", "晚上电压不稳，灯一直闪。"],
    "UT03": ["楼道里闻到很重的燃气味，请马上派人来查看。"],
    "UT04": ["暖气不热，室内只有十五度，家里有老人和孩子。"],
    "UT05": ["下水道堵塞，污水从地漏返上来。", "路边雨水井盖缺失，晚上很危险。"],
    "NO01": ["工地每天晚上十一点后还在施工，噪音太大影响休息。"],
    "NO02": ["楼下烧烤店音响开到凌晨，严重扰民。", "广场舞音响声音太大，每天晚上到十点。"],
    "NO03": ["楼上邻居天天夜里装修，打电钻的声音很吵。"],
    "TR01": ["主路上有个大坑，下雨后积水，电动车容易摔倒。", "路灯坏了一个星期，晚上一片漆黑。"],
    "TR03": ["消防通道被私家车长期占用。"],
    "TR04": ["共享单车堆满了地铁口，行人无法通过。"],
    "HO01": ["老楼外墙瓷砖脱落，差点砸到行人。"],
    "HO03": ["老旧小区改造后雨水管没接好，下雨就漏水。", "希望老楼加装电梯，请问怎么申请？"],
    "SS01": ["医保异地报销手续怎么办理？"],
    "SS03": ["家里老人生病，收入很低，想申请低保。"],
    "CA01": ["希望社区开办老年食堂，独居老人吃饭不方便。", "想给父亲申请居家养老服务。"],
    "CA02": ["开具居住证明需要哪些材料？"],
    "CA04": ["邻居在楼道堆放杂物，协商不成，请社区调解。"],
    "MK01": ["健身房突然关门，预付卡里还有三千元没退。"],
    "MK02": ["小区门口的餐馆卫生很差，吃完拉肚子。"],
    "EN02": ["楼下餐馆油烟直排，家里窗户都不敢开。"],
    "PS01": ["最近小区里电动车电瓶经常被偷。"],
    "PS03": ["有人在楼道里给电动车充电，很危险。"],
    "AG01": ["村里的灌溉水渠堵了，农田浇不上水。"],
    "AG03": ["村务公开栏好几个月没有更新账目。"],
    "AG04": ["村里晚上经常停电，电压也低。"],
    "OT01": ["请问社区工作人员几点上班？"],
    "OT02": ["建议在小区增设几个快递柜。"],
    "OT03": ["表扬社区网格员小郑，帮独居老人修好了水管。"],
}
URBAN_CODES = [c for c in TEXTS if not c.startswith("AG")]
RURAL_CODES = ["AG01", "AG03", "AG04", "UC02", "UT01", "UT02", "CA01", "CA04", "OT01", "NO02", "PS01"]
RESULTS = [
    "已到现场处理完毕，并与诉求人确认。",
    "已协调相关单位处理，问题已解决。",
    "已安排人员整改，后续将加强巡查。",
    "已答复政策规定和办理流程。",
]


class SimulatedClock:
    """A moving 'now' for django.utils.timezone, so the demo's history is written through the actions."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def at(self, moment: dt.datetime) -> SimulatedClock:
        self.now = moment
        return self

    @contextlib.contextmanager
    def running(self) -> Iterator[SimulatedClock]:
        with mock.patch.object(timezone, "now", lambda: self.now):
            yield self


def _rules(ctx: DemoContext) -> None:
    nodes = {"district": ctx.district, "street": ctx.street, "township": ctx.township}
    nodes |= {f"community:{i}": u for i, u in enumerate(ctx.communities)}
    for code, node_key, department_code, priority in RULES:
        category = Category.objects.filter(code=code).first()
        department = ctx.departments.get(department_code)
        unit = nodes[node_key]
        if category is None or department is None:
            continue
        if RoutingRule.objects.filter(category=category, unit=unit, department=department).exists():
            continue
        actions.rule_create(
            actor=ctx.admin, category=category, unit=unit, department=department, priority=priority, note="示范规则"
        )


def _handlers(ctx: DemoContext) -> dict[str, User]:
    handlers: dict[str, User] = {"D-CGW": ctx.users["dept_handler"]}
    for username, display, code in HANDLERS:
        department = ctx.departments[code]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display)
            user.set_password(DEMO_PASSWORD)
            user.save()
        if not RoleGrant.objects.active().filter(user=user, department=department).exists():
            people_actions.grant_create(
                actor=ctx.admin,
                user=user,
                role=Role.DEPARTMENT_HANDLER,
                department=department,
                valid_from=dt.date(2024, 1, 1),
            )
        handlers[code] = user
    # The community worker also works the residents' committee's assignments.
    worker = ctx.users["community_worker"]
    committee = ctx.departments["C-GMJWH"]
    if not RoleGrant.objects.active().filter(user=worker, department=committee).exists():
        people_actions.grant_create(
            actor=ctx.admin,
            user=worker,
            role=Role.DEPARTMENT_HANDLER,
            department=committee,
            valid_from=dt.date(2024, 1, 1),
        )
    handlers["C-GMJWH"] = worker
    return handlers


def _working_time(rng: random.Random, day: dt.date) -> dt.datetime:
    hour = rng.choices([8, 9, 10, 11, 14, 15, 16, 17, 19, 21], weights=[3, 6, 6, 5, 5, 5, 4, 3, 2, 1])[0]
    return dt.datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=TZ)


def _contact(rng: random.Random, ctx: DemoContext) -> dict[str, str]:
    resident = rng.choice([r for r in ctx.residents[:400] if r.mobile_encrypted] or ctx.residents)
    return {"name": resident.name, "mobile": resident.mobile or "13900000000"}


def _submit(ctx: DemoContext, rng: random.Random, clock: SimulatedClock, moment: dt.datetime) -> Appeal | None:
    rural = rng.random() < 0.3
    if rural:
        unit = rng.choice([g for g in ctx.grids if g.code.startswith(ctx.township.code[:9])] or ctx.villages)
        code = rng.choice(RURAL_CODES)
    else:
        unit = rng.choice([g for g in ctx.grids if g.code.startswith(ctx.street.code[:9])] or ctx.communities)
        code = rng.choice(URBAN_CODES)
    text = rng.choice(TEXTS.get(code, ["请尽快处理。"]))
    kind = {"OT01": "enquiry", "OT02": "suggestion", "OT03": "praise", "SS01": "enquiry", "CA02": "enquiry"}.get(
        code, rng.choice(["request"] * 3 + ["complaint"])
    )
    channel = rng.choices(["web", "phone", "walk_in", "grid_patrol"], weights=[5, 3, 1, 1])[0]
    attributes = {}
    if code == "PM02":
        attributes = {"trapped": "no"}
    clock.at(moment)
    try:
        if channel == "web" and rng.random() < 0.15:
            return actions.appeal_submit(
                actor=ctx.users["resident"],
                channel="web",
                category=code,
                description=text,
                unit=unit,
                kind=kind,
                attributes=attributes,
                is_public=rng.random() < 0.5,
            )
        if channel == "web":
            return actions.appeal_submit(
                actor=None,
                channel="web",
                category=code,
                description=text,
                unit=unit,
                kind=kind,
                attributes=attributes,
                contact=_contact(rng, ctx),
                is_public=rng.random() < 0.4,
            )
        actor = (
            ctx.users["grid_worker"] if channel == "grid_patrol" and unit == ctx.grids[0] else ctx.users["dispatcher"]
        )
        if rural:
            actor = ctx.users["township_staff"]
        return actions.appeal_submit(
            actor=actor,
            channel=channel,
            category=code,
            description=text,
            unit=unit,
            kind=kind,
            attributes=attributes,
            contact=_contact(rng, ctx),
            is_public=rng.random() < 0.3,
        )
    except DomainError as exc:
        ctx.log(f"  skipped an appeal: {exc}")
        return None


def _work(
    ctx: DemoContext,
    rng: random.Random,
    clock: SimulatedClock,
    appeal: Appeal,
    handlers: dict[str, User],
    age_days: float,
) -> None:
    """Carry an appeal as far as its age allows, with realistic delays, lateness and outcomes."""
    t = appeal.submitted_at
    dispatcher = (
        ctx.users["township_staff"] if appeal.unit_path.startswith(ctx.township.path) else ctx.users["dispatcher"]
    )
    appeal.refresh_from_db()
    if appeal.status == "submitted":
        if age_days < 1 and rng.random() < 0.7:
            return  # still in the queue
        if appeal.category.code in ("OT01",) and rng.random() < 0.2:
            clock.at(t + dt.timedelta(hours=1))
            actions.appeal_reject(
                actor=dispatcher, appeal=appeal, reason="该事项不属于政府职能范围，已告知诉求人咨询渠道。"
            )
            return
        options = list(actions_dept_choices(appeal))
        department = next((d for d in options if d.code in handlers), None)
        if department is None:
            return
        clock.at(t + dt.timedelta(minutes=rng.randint(10, 180)))
        actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=department, comment="")
        appeal.refresh_from_db()
    handler = handlers.get(appeal.department.code) if appeal.department else None
    if handler is None:
        return
    t = appeal.dispatched_at
    if age_days < 1.5 and rng.random() < 0.5:
        return
    if age_days < 6 and rng.random() < 0.15:
        clock.at(t + dt.timedelta(hours=2))
        actions.appeal_return(actor=handler, appeal=appeal, reason="经核实不属于本部门职责，请重新派单。")
        return
    late = rng.random() < 0.12
    clock.at(t + dt.timedelta(minutes=rng.randint(5, 90)))
    actions.appeal_accept(actor=handler, appeal=appeal)
    appeal.refresh_from_db()
    if late and appeal.response_due:
        clock.at(appeal.response_due + dt.timedelta(minutes=10))
        actions.appeal_mark_overdue(appeal_id=appeal.pk, now=clock.now)
        if rng.random() < 0.5:
            clock.at(clock.now + dt.timedelta(hours=25))
            actions.appeal_escalate(appeal_id=appeal.pk, now=clock.now)
        respond_at = clock.now + dt.timedelta(hours=rng.randint(1, 6))
    else:
        respond_at = t + dt.timedelta(minutes=rng.randint(20, 600))
        if appeal.response_due:
            respond_at = min(respond_at, appeal.response_due - dt.timedelta(minutes=5))
    if age_days < 2 and rng.random() < 0.5:
        return
    clock.at(respond_at)
    actions.appeal_respond(actor=handler, appeal=appeal, comment="已电话联系诉求人，了解具体情况并约定处理时间。")
    appeal.refresh_from_db()
    if rng.random() < 0.05 and appeal.resolution_due:
        clock.at(respond_at + dt.timedelta(hours=3))
        extension = actions.extension_request(
            actor=handler, appeal=appeal, extra_workdays=3, reason="需协调多方，材料尚未到齐。"
        )
        clock.at(respond_at + dt.timedelta(hours=5))
        actions.extension_decide(actor=dispatcher, extension=extension, approve=True, note="同意延期")
    if age_days < 4 and rng.random() < 0.6:
        return
    done_at = respond_at + dt.timedelta(hours=rng.randint(2, 72))
    if appeal.resolution_due and not late:
        done_at = min(done_at, appeal.resolution_due - dt.timedelta(hours=1))
    clock.at(max(done_at, respond_at + dt.timedelta(minutes=30)))
    evidence = [actions.Upload("现场照片.png", _PNG)] if appeal.kind in ("request", "complaint") else []
    actions.appeal_complete(actor=handler, appeal=appeal, result=rng.choice(RESULTS), evidence=evidence)
    appeal.refresh_from_db()
    if age_days < 6 and rng.random() < 0.5:
        return
    rate_at = clock.now + dt.timedelta(hours=rng.randint(2, 100))
    roll = rng.random()
    if roll < 0.15:
        actions.appeal_close_unrated(appeal_id=appeal.pk, now=appeal.resolved_at + dt.timedelta(days=7, minutes=5))
        return
    satisfaction = rng.choices(["satisfied", "basic", "unsatisfied"], weights=[70, 20, 10])[0]
    resolved = satisfaction != "unsatisfied" or rng.random() < 0.2
    clock.at(rate_at)
    reporter = ctx.users["resident"] if appeal.reporter_id else None
    mobile = None if reporter else appeal.contact_mobile
    if reporter is None and not mobile:
        return
    actions.appeal_rate(
        actor=reporter,
        appeal=appeal,
        resolved=resolved,
        satisfaction=satisfaction,
        comment="" if satisfaction != "unsatisfied" else "问题还没有彻底解决。",
        verified_mobile=mobile,
    )
    appeal.refresh_from_db()
    if appeal.status == "reopened" and age_days > 12:
        # Reworked after the resident's dissatisfaction, then rated again.
        clock.at(rate_at + dt.timedelta(hours=3))
        actions.appeal_accept(actor=handler, appeal=appeal)
        clock.at(rate_at + dt.timedelta(hours=5))
        actions.appeal_respond(actor=handler, appeal=appeal, comment="再次联系诉求人，重新核实情况。")
        clock.at(rate_at + dt.timedelta(days=2))
        actions.appeal_complete(actor=handler, appeal=appeal, result="已重新处理并复查。", evidence=evidence)
        clock.at(rate_at + dt.timedelta(days=3))
        actions.appeal_rate(
            actor=reporter,
            appeal=appeal,
            resolved=True,
            satisfaction=rng.choice(["satisfied", "basic"]),
            verified_mobile=mobile,
        )


def actions_dept_choices(appeal: Appeal) -> Any:
    from gongzhi.appeals.queries import departments_covering, suggested_department

    best, others = suggested_department(appeal)
    choices = [d for d in [best, *others] if d is not None]
    return choices or list(departments_covering(appeal.unit_path).filter(kind="street_section")[:1])


_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _cohandling(ctx: DemoContext, clock: SimulatedClock, handlers: dict[str, User]) -> None:
    """A recent 一件事, and a 吹哨 with an on-time, a late and a missed check-in, closed and mutually rated."""
    now = timezone.now()
    clock.at(now - dt.timedelta(days=2, hours=3))
    appeal = actions.appeal_submit(
        actor=ctx.users["community_worker"],
        channel="walk_in",
        category="HO03",
        unit=ctx.grids[0],
        description="老旧小区改造后，5号楼路面塌陷、路灯不亮、架空线路杂乱，居民希望多部门一起解决。",
        contact={"name": "周阿姨", "mobile": "13911112222"},
    )
    appeal.refresh_from_db()
    if appeal.status in ("submitted", "dispatched"):
        lead = ctx.departments["D-ZJW"] if appeal.status == "submitted" else appeal.department
        with contextlib.suppress(DomainError):
            actions.appeal_split(
                actor=ctx.users["street_staff"],
                appeal=appeal,
                lead=lead,
                assisting=[ctx.departments["S-CGK"], ctx.departments["D-GDGS"]],
                comment="一件事联办",
            )
    clock.at(now - dt.timedelta(hours=5))
    second = actions.appeal_submit(
        actor=ctx.users["grid_worker"],
        channel="grid_patrol",
        category="UC04",
        unit=ctx.grids[0],
        description="巡查发现5号楼顶层正在违规加盖，已搭起钢架，需要执法、供电和住建部门到场。",
    )
    whistle = actions.whistle_blow(
        actor=ctx.users["street_staff"],
        appeal=second,
        departments=[ctx.departments["S-ZFD"], ctx.departments["D-GDGS"], ctx.departments["D-ZJW"]],
        reason="违建现场涉及电力线路，请各部门到场联合处置",
        place="光明社区5号楼",
    )
    clock.at(now - dt.timedelta(hours=4, minutes=40))
    actions.whistle_check_in(
        actor=handlers["S-ZFD"], summons=whistle.summonses.get(department=ctx.departments["S-ZFD"]), note="已到现场"
    )
    clock.at(now - dt.timedelta(hours=4, minutes=10))
    actions.whistle_check_in(
        actor=handlers["D-GDGS"], summons=whistle.summonses.get(department=ctx.departments["D-GDGS"])
    )
    from gongzhi.appeals import tasks

    tasks.watch_deadlines(now=now - dt.timedelta(hours=4))
    # 收哨 and 互评: the street closes the whistle; it rates each department, the departments that came rate it.
    clock.at(now - dt.timedelta(hours=2))
    actions.whistle_close(actor=ctx.users["street_staff"], whistle=whistle, note="钢架已拆除，线路已恢复")
    scores = {"S-ZFD": (5, "到场迅速，处置有力"), "D-GDGS": (3, "迟到约半小时"), "D-ZJW": (1, "未到场")}
    for code, (score, comment) in scores.items():
        actions.whistle_rate(
            actor=ctx.users["street_staff"],
            summons=whistle.summonses.get(department=ctx.departments[code]),
            side="unit",
            score=score,
            comment=comment,
        )
    actions.whistle_rate(
        actor=handlers["S-ZFD"],
        summons=whistle.summonses.get(department=ctx.departments["S-ZFD"]),
        side="department",
        score=4,
        comment="现场分工清楚",
    )


def load(ctx: DemoContext) -> None:
    """Load routing rules, handlers and a year of appeals for the demo district (once)."""
    _rules(ctx)
    handlers = _handlers(ctx)
    if Appeal.objects.filter(unit_path__startswith=ctx.district.path).count() >= APPEALS // 2:
        ctx.log("  appeals already loaded")
        return
    rng = random.Random(20261125)
    clock = SimulatedClock()
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    recent = 60  # the last ten days are busier, so every state of the workflow is on show
    days = sorted(
        [start + dt.timedelta(days=rng.randint(0, 355)) for _ in range(APPEALS - recent)]
        + [today - dt.timedelta(days=rng.randint(0, 9)) for _ in range(recent)]
    )
    real_now = timezone.now()
    with clock.running():
        for index, day in enumerate(days):
            moment = _working_time(rng, day)
            if moment > real_now:
                moment = real_now - dt.timedelta(minutes=rng.randint(10, 300))
            appeal = _submit(ctx, rng, clock, moment)
            if appeal is None:
                continue
            age = (real_now - moment).total_seconds() / 86400
            try:
                _work(ctx, rng, clock, appeal, handlers, age)
            except DomainError as exc:
                ctx.log(f"  {appeal.number}: {exc}")
            if index % 60 == 0:
                ctx.log(f"  appeals {index + 1}/{len(days)}")
        _cohandling(ctx, clock, handlers)
    rows = metrics.rollup(start.replace(day=1), today)
    ctx.log(f"  rollups: {rows} rows; handlers: {', '.join(u for u, _n, _d in HANDLERS)} (password {DEMO_PASSWORD})")
