"""Demo data for deliberation, written through the actions (so it has a real audit trail).

光明社区: a ladder of bodies (院落议事小组 → 社区居民议事会 → 街道协商议事中心), six representatives and a few
resident accounts, topics in every stage of the "246" pipeline, a meeting with a secret vote, a resolution
with commitments (one closed, checked and posted, one open), a closed and evaluated resolution, a round table,
a consultation, 问政·问需·问计 items, a members' demand for a meeting and an awarded proposal contest.
东坡村: a villager representative assembly with party screening and legal review.
Idempotent: when the community council exists, nothing is added.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.deliberation import actions
from gongzhi.deliberation.models import Body, BodyLevel, MeetingKind, MemberRole, MemberSource
from gongzhi.lib.pdf import ChineseDocument
from gongzhi.people import actions as people_actions
from gongzhi.people.models import Resident, User
from gongzhi.people.roles import Role
from gongzhi.web.demo import DEMO_PASSWORD, DemoContext

COUNCIL_NAME = "光明社区居民议事会"

REPRESENTATIVES = [
    ("rep_liu", "议事代表 刘建国"),
    ("rep_wang", "议事代表 王桂英"),
    ("rep_zhao", "议事代表 赵德胜"),
    ("rep_sun", "议事代表 孙丽娟"),
    ("rep_zhou", "议事代表 周海波"),
]
RESIDENTS = [
    ("res_li", "居民 李秀珍"),
    ("res_chen", "居民 陈志文"),
    ("res_yang", "居民 杨晓东"),
    ("res_huang", "居民 黄春燕"),
]


def _account(ctx: DemoContext, actor: User, username: str, display: str, role: str, unit: Any) -> User:
    """A sign-in account linked to a resident of the unit, with a role (through the people actions)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        resident = Resident.objects.filter(unit__path__startswith=unit.path, user__isnull=True).order_by("id").first()
        user = people_actions.user_create(
            actor=actor, username=username, password=DEMO_PASSWORD, display_name=display, resident=resident
        )
    people_actions.grant_create(actor=actor, user=user, role=role, unit=unit, valid_from=dt.date(2024, 1, 1))
    return user


def _evidence(title: str) -> SimpleUploadedFile:
    doc = ChineseDocument(title=title)
    doc.heading(title)
    doc.paragraph("现场验收照片及验收单已存档。")
    return SimpleUploadedFile(f"{title}.pdf", doc.to_bytes(), content_type="application/pdf")


def _appeal_numbers(worker: Any, unit: Any, codes: list[str], count: int, text: str) -> list[str]:
    """Real appeals in the community for a topic to cite: the appeals demo's when it made some of these
    categories, otherwise taken down now through the appeals intake action (so the order of demos does not matter)."""
    from gongzhi.appeals import actions as appeal_actions
    from gongzhi.appeals.models import Appeal

    numbers = list(
        Appeal.objects.filter(unit_path__startswith=unit.path, category__code__in=codes)
        .order_by("-submitted_at")
        .values_list("number", flat=True)[:count]
    )
    grid = unit.get_children().first() or unit
    while len(numbers) < count:
        appeal = appeal_actions.appeal_submit(
            actor=worker, channel="grid_patrol", category=codes[0], description=text, unit=grid
        )
        numbers.append(appeal.number)
    return numbers


def load(ctx: DemoContext) -> None:
    if Body.objects.filter(name=COUNCIL_NAME).exists():
        ctx.log("  deliberation demo already loaded")
        return
    users = ctx.users
    head, worker, street, supervisor = (
        users["community_head"],
        users["community_worker"],
        users["street_staff"],
        users["supervisor"],
    )
    community, grid, village = ctx.communities[0], ctx.grids[0], ctx.villages[0]
    today = timezone.localdate()

    # The ladder of bodies.
    centre = actions.body_create(
        actor=street, unit=ctx.street, name="和平街道协商议事中心", level=BodyLevel.STREET_COMMITTEE
    )
    council = actions.body_create(
        actor=head,
        unit=community,
        name=COUNCIL_NAME,
        level=BodyLevel.COMMUNITY_COMMITTEE,
        parent=centre,
        cosign_threshold=3,
        meeting_interval_days=30,
    )
    courtyard = actions.body_create(
        actor=head,
        unit=grid,
        name="光明社区一网格院落议事小组",
        level=BodyLevel.COURTYARD,
        parent=council,
        cosign_threshold=2,
    )
    reps = [users["representative"]] + [
        _account(ctx, head, name, display, Role.REPRESENTATIVE, community) for name, display in REPRESENTATIVES
    ]
    residents = [users["resident"]] + [
        _account(ctx, head, name, display, Role.RESIDENT, grid) for name, display in RESIDENTS
    ]
    for index, rep in enumerate(reps):
        role = MemberRole.CHAIR if index == 0 else MemberRole.MEMBER
        actions.body_member_add(actor=head, body=council, user=rep, role=role, source=MemberSource.ELECTED)
    actions.body_member_add(actor=head, body=courtyard, user=reps[1], role=MemberRole.CHAIR)
    for member in (street, ctx.users["dispatcher"]):
        actions.body_member_add(actor=street, body=centre, user=member)

    # Topics in every stage.
    collecting = actions.topic_propose(
        actor=residents[0],
        body=council,
        title="楼道堆物清理",
        description="3号楼各单元楼道堆放纸箱杂物，存在消防隐患。",
    )
    actions.topic_cosign(actor=residents[1], topic=collecting)
    submitted = actions.topic_propose(
        actor=reps[1],
        body=council,
        title="增设电动车集中充电桩",
        description="小区电动车飞线充电普遍，建议在2号楼北侧增设集中充电棚。",
        as_representative=True,
    )
    rejected = actions.topic_propose(
        actor=reps[2],
        body=council,
        title="更换单元门禁品牌",
        description="建议换成某品牌门禁。",
        as_representative=True,
    )
    actions.topic_screen(
        actor=worker,
        topic=rejected,
        decision="reject",
        is_public_matter=False,
        reason="涉及指定品牌采购，不属于议事会议题；门禁故障请报物业维修。",
    )
    referred = actions.topic_submit_on_behalf(
        actor=worker,
        body=council,
        title="12号楼楼上漏水",
        description="两户之间漏水纠纷。",
        source="appeals",
        appeal_numbers=_appeal_numbers(worker, community, ["CA04", "UT01"], 1, "12号楼楼上漏水，两户之间有纠纷。"),
    )
    actions.topic_screen(
        actor=worker,
        topic=referred,
        decision="refer",
        reason="属于邻里纠纷，转诉求办理并由调解员跟进。",
        refer_category="CA04",
    )
    escalated = actions.topic_propose(
        actor=reps[3],
        body=courtyard,
        title="沿河步道照明改造",
        description="沿河步道夜间无照明，涉及光明、幸福两个社区。",
        as_representative=False,
    )
    for neighbour in residents[1:3]:
        actions.topic_cosign(actor=neighbour, topic=escalated)
    actions.topic_screen(actor=worker, topic=escalated, decision="escalate", reason="涉及沿河整段，超出院落能力")
    actions.topic_screen(actor=head, topic=escalated, decision="escalate", reason="涉及两个社区，需街道统筹")
    parking = actions.topic_submit_on_behalf(
        actor=worker,
        body=council,
        title="小区停车位重新划线",
        description="网格走访和诉求集中反映停车难，建议重新规划划线。",
        source="appeals",
        appeal_numbers=_appeal_numbers(worker, community, ["PM03", "TR03"], 3, "小区停车位不够，车辆乱停堵塞通道。"),
    )
    actions.topic_screen(actor=worker, topic=parking, decision="accept", reason="涉及全体居民，属于公共事务。")
    lift = actions.topic_propose(
        actor=reps[0],
        body=council,
        title="5号楼加装电梯",
        description="5号楼老人多，申请加装电梯。",
        as_representative=True,
    )
    actions.topic_screen(actor=worker, topic=lift, decision="accept", reason="符合老旧小区改造政策。")
    dogs = actions.topic_propose(
        actor=reps[4],
        body=council,
        title="设立宠物活动区",
        description="在中心花园划出宠物活动区。",
        as_representative=True,
    )
    actions.topic_screen(actor=worker, topic=dogs, decision="accept")
    greening = actions.topic_propose(
        actor=reps[2],
        body=council,
        title="中心花园补植绿化",
        description="中心花园多处黄土裸露。",
        as_representative=True,
    )
    actions.topic_screen(actor=worker, topic=greening, decision="accept")

    # A council meeting with secret votes: the lift is adopted, the pet area is not.
    meeting = actions.meeting_create(
        actor=worker,
        body=council,
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="光明社区居民议事会第十一次会议",
        starts_at=timezone.now() + dt.timedelta(hours=1),
        place="光明社区党群服务中心二楼会议室",
    )
    lift_item = actions.meeting_add_item(
        actor=worker, meeting=meeting, topic=lift, motion="同意5号楼加装电梯，一楼住户补偿方案按协商结果执行。"
    )
    dog_item = actions.meeting_add_item(
        actor=worker, meeting=meeting, topic=dogs, motion="同意在中心花园东侧设立宠物活动区。"
    )
    green_item = actions.meeting_add_item(actor=worker, meeting=meeting, topic=greening, motion="同意补植绿化。")
    actions.meeting_invite(actor=worker, meeting=meeting, kind="department", department=ctx.departments["D-ZJW"])
    actions.meeting_invite(actor=worker, meeting=meeting, kind="stakeholder", name="5号楼一楼住户代表")
    actions.meeting_send_notice(actor=worker, meeting=meeting, urgent=True, urgent_reason="电梯补贴申报本周截止")
    actions.meeting_open(actor=worker, meeting=meeting)
    for rep in reps[:5]:
        actions.attendance_mark(actor=worker, meeting=meeting, user=rep)
    actions.item_minutes(
        actor=worker, item=lift_item, minutes="住建委介绍补贴政策；一楼住户代表提出采光补偿，经协商同意按方案补偿。"
    )
    for item, choices in (
        (lift_item, ["for"] * 4 + ["abstain"]),
        (dog_item, ["for", "for", "against", "against", "abstain"]),
        (green_item, ["for"] * 5),
    ):
        actions.item_open_vote(actor=worker, item=item, secret=True)
        for rep, choice in zip(reps[:5], choices, strict=True):
            actions.vote_cast(actor=rep, item=item, choice=choice)
        actions.item_close_vote(actor=worker, item=item)
    actions.meeting_close(actor=worker, meeting=meeting, summary="会议应到6人，实到5人。审议议题3项，通过2项。")
    lift_item.refresh_from_db()
    green_item.refresh_from_db()

    # The lift resolution: one commitment closed, checked and posted work still open on another.
    lift_resolution = lift_item.resolution
    survey = actions.commitment_add(
        actor=worker,
        resolution=lift_resolution,
        title="完成加装电梯可行性勘察",
        deadline=today + dt.timedelta(days=20),
        owner_department=ctx.departments["D-ZJW"],
    )
    actions.commitment_add(
        actor=worker,
        resolution=lift_resolution,
        title="组织5号楼住户签署出资协议",
        deadline=today + dt.timedelta(days=45),
        owner_user=worker,
    )
    actions.commitment_progress(actor=worker, commitment=survey, note="已联系勘察单位，下周进场。")

    # The greening resolution: done, checked, posted, evaluated and closed.
    green = green_item.resolution
    planting = actions.commitment_add(
        actor=worker,
        resolution=green,
        title="补植草坪300平方米",
        deadline=today + dt.timedelta(days=10),
        owner_user=worker,
    )
    actions.commitment_close(
        actor=worker, commitment=planting, note="已补植草坪320平方米。", evidence=_evidence("补植验收单")
    )
    actions.commitment_review(actor=supervisor, commitment=planting, accept=True, findings="现场核查属实。")
    actions.resolution_post(actor=head, resolution=green, days=7)
    objection = actions.objection_file(actor=residents[2], resolution=green, text="东侧还有一块没补。")
    actions.objection_answer(actor=head, objection=objection, answer="东侧为管网检修区，检修完成后补植。")
    green.refresh_from_db()
    actions.advance_resolutions(today=green.post_until + dt.timedelta(days=1))
    for resident, score in zip(residents[:4], (5, 4, 5, 4), strict=True):
        actions.evaluation_submit(actor=resident, resolution=green, score=score, comment="环境变好了")
    actions.resolution_close(actor=head, resolution=green)

    # A round table with commitments made on the spot; one already closed with evidence.
    roundtable = actions.meeting_create(
        actor=worker,
        body=council,
        kind=MeetingKind.ROUNDTABLE,
        title="第十二期幸福圆桌会",
        starts_at=timezone.now() + dt.timedelta(hours=1),
        place="光明社区中心广场",
    )
    actions.meeting_invite(
        actor=worker, meeting=roundtable, kind="official", user=users["dept_handler"], name="城管委 孙涛"
    )
    actions.meeting_send_notice(actor=worker, meeting=roundtable, urgent=True, urgent_reason="周末居民集中")
    actions.meeting_open(actor=worker, meeting=roundtable)
    actions.attendance_mark(actor=worker, meeting=roundtable, user=residents[0])
    issue = actions.roundtable_issue_raise(
        actor=worker,
        meeting=roundtable,
        title="小区门口积水",
        text="下雨天小区南门积水半米深。",
        raised_by="居民 张秀英",
        commitments=[
            {
                "title": "疏通南门雨水管网",
                "deadline": today + dt.timedelta(days=7),
                "owner_department": ctx.departments["D-CGW"],
            }
        ],
    )
    actions.roundtable_issue_raise(
        actor=worker,
        meeting=roundtable,
        title="早市占道",
        text="早市摊贩占用消防通道。",
        raised_by="居民 陈志文",
        commitments=[
            {
                "title": "划定早市疏导区",
                "deadline": today + dt.timedelta(days=14),
                "owner_department": ctx.departments["S-ZFD"],
            }
        ],
    )
    drain = issue.commitments.get()
    actions.commitment_close(
        actor=users["dept_handler"],
        commitment=drain,
        note="已疏通管网并加装雨水篦子。",
        evidence=_evidence("管网疏通记录"),
    )
    actions.meeting_close(actor=worker, meeting=roundtable, summary="现场收集问题2个，部门当场承诺2项。")

    # A members' demand for a meeting (two of six have signed; two are needed).
    actions.demand_open(actor=reps[3], body=council, subject="讨论物业费调整方案")

    # A consultation on a draft residents' compact.
    consultation = actions.consultation_create(
        actor=worker,
        unit=community,
        title="光明社区居民公约（征求意见稿）",
        summary="公约草案共三条，欢迎居民逐条提出意见。",
        sections=[
            {"heading": "总则", "text": "为建设和谐文明社区，经居民会议讨论，制定本公约。"},
            {"heading": "环境卫生", "text": "垃圾分类投放，不在楼道堆放杂物，不高空抛物。"},
            {"heading": "文明养犬", "text": "遛犬拴绳，及时清理犬只粪便，大型犬避开早晚高峰。"},
        ],
        closes_on=today + dt.timedelta(days=14),
    )
    actions.consultation_open(actor=worker, consultation=consultation)
    sections = list(consultation.sections.all())
    web = actions.comment_submit(
        actor=residents[1], consultation=consultation, text="建议明确大型犬遛犬时段。", section=sections[2]
    )
    actions.comment_moderate(actor=worker, comment=web, publish=True)
    actions.comment_reply(actor=worker, comment=web, kind="adopted", reply="已增加早七点前、晚九点后遛大型犬的规定。")
    actions.comment_submit(
        actor=residents[2], consultation=consultation, text="楼道能否放自行车？", section=sections[1]
    )
    paper = actions.comment_enter(
        actor=worker,
        consultation=consultation,
        channel="paper",
        author_name="王大爷（书面）",
        text="垃圾投放时间延长到晚上九点。",
        section=sections[1],
    )
    actions.comment_reply(actor=worker, comment=paper, kind="partly", reply="延长至晚八点半，与清运时间衔接。")
    actions.comment_enter(
        actor=worker,
        consultation=consultation,
        channel="phone",
        author_name="李女士（电话）",
        text="总则太空泛。",
        section=sections[0],
    )
    actions.comment_enter(
        actor=worker,
        consultation=consultation,
        channel="meeting",
        author_name="楼栋长座谈会",
        text="建议增加邻里互助条款。",
    )

    # 问政·问需·问计.
    question = actions.inquiry_submit(
        actor=residents[0],
        unit=community,
        kind="question",
        title="老旧小区加装电梯有补贴吗？",
        text="想了解加装电梯的补贴政策和申请流程。",
    )
    actions.inquiry_reply(
        actor=worker,
        inquiry=question,
        reply="每台补贴20万元。由本单元三分之二以上业主同意后向社区提出申请，详见区住建委通知。",
    )
    actions.inquiry_submit(
        actor=residents[1], unit=community, kind="need", title="希望开设长者食堂", text="小区独居老人多，做饭不便。"
    )
    actions.inquiry_submit(
        actor=residents[2],
        unit=community,
        kind="idea",
        title="错时开放学校操场",
        text="建议周末和假期向居民开放学校操场。",
    )

    # A proposal contest (金牛 variant), awarded.
    contest = actions.contest_create(
        actor=head,
        unit=community,
        title="2026年光明社区“微提案”大赛",
        description="居民自发组队提出社区微改造项目，路演5分钟，评委现场打分。",
        budget="50000.00",
        min_self_share="0.2",
        awards=2,
        criteria=[
            {"name": "公共性", "weight": "40"},
            {"name": "可行性", "weight": "40"},
            {"name": "居民参与", "weight": "20"},
        ],
    )
    judges = [reps[0], street]
    for judge in judges:
        actions.contest_add_judge(actor=head, contest=contest, user=judge)
    actions.contest_open(actor=head, contest=contest)
    entries = [
        ("楼顶共享菜园", "3号楼种植小组", "20000.00", "16000.00", "4000.00", (8, 7, 9)),
        ("儿童托管角", "宝妈互助队", "30000.00", "24000.00", "6000.00", (9, 8, 8)),
        ("旧物交换站", "环保志愿者", "10000.00", "9000.00", "1000.00", (10, 9, 9)),
    ]
    pitches = []
    for title, team, cost, ask, raised, marks in entries:
        pitch = actions.pitch_submit(
            actor=residents[0], contest=contest, title=title, team=team, total_cost=cost, requested=ask
        )
        actions.contribution_record(actor=head, pitch=pitch, contributor=f"{team}居民众筹", amount=raised)
        pitches.append((pitch, marks))
    actions.contest_start_judging(actor=head, contest=contest)
    criteria = list(contest.criteria.all())
    for judge in judges:
        for pitch, marks in pitches:
            actions.score_submit(
                actor=judge, pitch=pitch, scores={c.pk: v for c, v in zip(criteria, marks, strict=True)}
            )
    actions.contest_award(actor=head, contest=contest)

    # 东坡村: a villager representative assembly (party screening and legal review required).
    township = users["township_staff"]
    assembly = actions.body_create(
        actor=township,
        unit=village,
        name="东坡村村民代表会议",
        level=BodyLevel.VILLAGER_ASSEMBLY,
        requires_party_screening=True,
        requires_legal_review=True,
    )
    for name, display in (
        ("vrep_he", "村民代表 何德胜"),
        ("vrep_luo", "村民代表 罗秀兰"),
        ("vrep_xie", "村民代表 谢永红"),
    ):
        rep = _account(ctx, township, name, display, Role.REPRESENTATIVE, village)
        actions.body_member_add(actor=township, body=assembly, user=rep, source=MemberSource.ELECTED)
    road = actions.topic_propose(
        actor=User.objects.get(username="vrep_he"),
        body=assembly,
        title="村道硬化2公里",
        description="雨天泥泞，农产品运不出去。",
        as_representative=True,
    )
    actions.topic_screen(actor=township, topic=road, decision="accept", reason="列入村级公益事业")
    ctx.log(
        f"  deliberation: {Body.objects.count()} bodies, topics {submitted.number}…, meeting {meeting.number}, "
        f"consultation, inquiries, contest"
    )
