"""Demo seeding for resources and the network: a library, a directory, answered questions.

`seed_resources(organization=..., rng=..., today=...)` is wired into `manage.py seed_demo`
by the demo app. It writes through the services, so every rule (who may share, bounds,
the search index, the typo vocabulary) holds for demo data as for real data.
"""

import random
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peergroups.errors import Conflict
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.meetings.models import AgreementAcceptance
from peergroups.network import selectors as network_selectors
from peergroups.network import services as network
from peergroups.network.models import Question, QuestionRecipient
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Organization, OrganizationRole, Role
from peergroups.resources import services as resources
from peergroups.resources.models import Resource

# (title, kind, topics, summary, link or None, text of an attached markdown file or None)
LIBRARY = [
    (
        "Structured interview scorecard",
        "template",
        ["hiring"],
        "A one-page scorecard that rates every candidate on the same four competencies, "
        "with anchored examples for each score. Cut our mis-hires in half.",
        None,
        "# Interview scorecard\n\nCompetencies: ownership, communication, craft, "
        "collaboration.\nScore 1-4 with evidence; debrief before anyone shares a verdict.",
    ),
    (
        "First 90 days onboarding plan for new managers",
        "template",
        ["hiring", "team-building"],
        "Week-by-week onboarding checklist for a newly hired or promoted manager: "
        "listening tour, first one-to-ones, quick wins, 90-day review.",
        None,
        "# 90-day onboarding\n\nWeeks 1-2: listening tour with every direct report.\n"
        "Weeks 3-6: first team retrospective, agree on working norms.\n"
        "Day 90: review goals with your own manager.",
    ),
    (
        "Reference checks that actually tell you something",
        "practice",
        ["hiring"],
        "Ask references to rank the candidate against peers they managed, and what the "
        "candidate needed most coaching on. Vague praise is a warning sign.",
        "https://example.org/reference-checks",
        None,
    ),
    (
        "Writing a job ad that attracts senior engineers",
        "article",
        ["hiring", "technology"],
        "Lead with the problem the team solves, the tech stack and the salary band. "
        "Drop the wish list of twenty requirements.",
        "https://example.org/job-ads-engineers",
        None,
    ),
    (
        "Change impact canvas",
        "tool",
        ["leading-change"],
        "A canvas to map who is affected by a change, what they lose, what they gain, and "
        "which objections to expect. Run it before announcing a reorganization.",
        "https://example.org/change-canvas",
        None,
    ),
    (
        "Announcing a reorganization without losing the team",
        "practice",
        ["leading-change", "team-building"],
        "Tell people in person, on the same day, with the reasons and what stays the "
        "same. Give a date for open questions. Never by e-mail on a Friday.",
        None,
        "# Reorg announcement checklist\n\nSame-day announcement, in person.\n"
        "Explain why now. Name what does not change. Schedule follow-up one-to-ones.",
    ),
    (
        "Kotter's eight steps, a practical summary",
        "article",
        ["leading-change", "strategic-planning"],
        "Urgency, a guiding coalition, vision, communication, removing obstacles, short-term "
        "wins, consolidating gains, anchoring the change in culture.",
        "https://example.org/kotter-eight-steps",
        None,
    ),
    (
        "Resistance to change: a conversation guide",
        "tool",
        ["leading-change"],
        "Questions for a one-to-one with someone who resists a change: what worries you, "
        "what would you need to see, what would you keep from the old way.",
        None,
        "# Conversation guide\n\nListen first. Ask what they fear losing. "
        "Agree on one small experiment.",
    ),
    (
        "Team charter workshop",
        "template",
        ["team-building"],
        "A two-hour workshop agenda where a team writes its purpose, working agreements "
        "and decision rights. Good for new or merged teams.",
        None,
        "# Team charter\n\nPurpose. Working agreements. Decision rights (RACI). "
        "Meeting rhythm. How we disagree.",
    ),
    (
        "Psychological safety pulse questions",
        "tool",
        ["team-building"],
        "Seven survey questions, after Amy Edmondson, to measure whether people dare to "
        "speak up, admit mistakes and take risks in the team.",
        "https://example.org/psych-safety-pulse",
        None,
    ),
    (
        "Running a blameless retrospective",
        "practice",
        ["team-building", "operations"],
        "Facts first, then causes, then actions. Ban the word 'who'. The facilitator "
        "keeps time and makes sure quiet people speak.",
        "https://example.org/blameless-retro",
        None,
    ),
    (
        "Thirteen-week cash flow forecast",
        "template",
        ["finance"],
        "A spreadsheet template for a rolling 13-week cash forecast: receipts, payroll, "
        "suppliers, debt service. Updated every Monday, it shows a cash crunch weeks early.",
        None,
        "# 13-week cash forecast\n\nColumns: weeks 1-13. Rows: opening cash, customer "
        "receipts, payroll, suppliers, rent, loan repayments, closing cash.",
    ),
    (
        "Reading a P&L for non-finance managers",
        "article",
        ["finance"],
        "Revenue, cost of goods sold, gross margin, operating expenses, EBITDA: what each "
        "line tells a manager and which ones you can influence.",
        "https://example.org/pnl-basics",
        None,
    ),
    (
        "Pricing increase playbook",
        "practice",
        ["finance", "sales"],
        "How we raised prices 8% with under 2% churn: segment customers, grandfather the "
        "smallest, give 60 days notice, and train the account managers first.",
        None,
        "# Price increase\n\nSegment by margin. Notify 60 days ahead. "
        "Script for account managers. Track churn weekly.",
    ),
    (
        "Budget variance review in thirty minutes",
        "tool",
        ["finance", "operations"],
        "A monthly routine to compare budget and actuals, explain every variance above 5% "
        "and decide on one corrective action per line.",
        "https://example.org/variance-review",
        None,
    ),
    (
        "Sales pipeline review cadence",
        "practice",
        ["sales"],
        "A weekly 45-minute pipeline review: stage definitions, next steps with dates, and "
        "deals older than 90 days challenged. Forecast accuracy went from 60% to 85%.",
        "https://example.org/pipeline-review",
        None,
    ),
    (
        "Commission plan design checklist",
        "template",
        ["sales", "finance"],
        "Questions to ask before changing a sales commission plan: what behaviour it "
        "rewards, caps and accelerators, clawbacks, and how to model the cost.",
        None,
        "# Commission plan checklist\n\nTarget behaviour. Quota setting. Accelerators. "
        "Caps. Clawbacks. Cost model at 80/100/120% attainment.",
    ),
    (
        "Discovery call question bank",
        "tool",
        ["sales", "customer-service"],
        "Forty open questions for a first sales conversation, grouped by situation, pain, "
        "impact and decision process.",
        "https://example.org/discovery-questions",
        None,
    ),
    (
        "Customer complaint escalation ladder",
        "practice",
        ["customer-service"],
        "Who handles a complaint at which level, with response times: frontline in 4 hours, "
        "team lead in 1 day, manager call within 2 days for key accounts.",
        None,
        "# Escalation ladder\n\nLevel 1 frontline. Level 2 team lead. Level 3 manager. "
        "Always close the loop with the customer in writing.",
    ),
    (
        "Net promoter score follow-up routine",
        "tool",
        ["customer-service", "marketing"],
        "Call every detractor within a week; tag the reasons; review the tags monthly "
        "with product and operations.",
        "https://example.org/nps-follow-up",
        None,
    ),
    (
        "One-page marketing plan",
        "template",
        ["marketing", "strategic-planning"],
        "Target customer, the problem, the message, channels, budget and three measures "
        "on one page. Forces choices a thirty-page plan avoids.",
        None,
        "# One-page marketing plan\n\nWho. Problem. Message. Channels. Budget. "
        "Measures: leads, conversion, customer acquisition cost.",
    ),
    (
        "Positioning statement workshop",
        "practice",
        ["marketing", "product"],
        "April Dunford's positioning steps as a half-day workshop: competitive alternatives, "
        "unique attributes, value, target segment, market category.",
        "https://example.org/positioning",
        None,
    ),
    (
        "LinkedIn content calendar for B2B",
        "template",
        ["marketing"],
        "A quarterly content calendar for a company page and leaders' posts: themes per "
        "month, formats, owners and a simple engagement tracker.",
        "https://example.org/linkedin-calendar",
        None,
    ),
    (
        "Annual strategy offsite agenda",
        "template",
        ["strategic-planning"],
        "Two-day offsite: review of last year, market shifts, three strategic bets, "
        "what we stop doing, and owners for each priority.",
        None,
        "# Strategy offsite\n\nDay 1: look back, market, customers. Day 2: bets, "
        "stop-doing list, owners, OKRs.",
    ),
    (
        "OKRs without the bureaucracy",
        "article",
        ["strategic-planning", "operations"],
        "Three objectives, three key results each, reviewed every two weeks. Keep them "
        "out of performance reviews or people sandbag.",
        "https://example.org/okrs-light",
        None,
    ),
    (
        "SWOT that leads to decisions",
        "tool",
        ["strategic-planning"],
        "Turn a SWOT into a TOWS matrix: pair strengths with opportunities and weaknesses "
        "with threats to get options, not lists.",
        "https://example.org/tows-matrix",
        None,
    ),
    (
        "Standard work for recurring processes",
        "practice",
        ["operations"],
        "Write down the current best way to do a recurring task, with time and quality "
        "checks; improve it with the people who do it, not for them.",
        "https://example.org/standard-work",
        None,
    ),
    (
        "Capacity planning spreadsheet for service teams",
        "template",
        ["operations"],
        "Demand forecast per week against available hours, with holidays and ramp-up of "
        "new hires; shows when to hire before the backlog grows.",
        None,
        "# Capacity plan\n\nDemand hours per week. Available hours after holidays and "
        "training. Utilisation target 80%. Hiring lead time.",
    ),
    (
        "Supplier scorecard",
        "tool",
        ["operations", "finance"],
        "Rate suppliers quarterly on delivery, quality, price and responsiveness; share "
        "the scores with them.",
        "https://example.org/supplier-scorecard",
        None,
    ),
    (
        "Product roadmap without dates",
        "practice",
        ["product", "strategic-planning"],
        "Now / next / later columns with the problem each item solves. Dates only for "
        "commitments customers depend on.",
        "https://example.org/now-next-later",
        None,
    ),
    (
        "Customer interview guide for product discovery",
        "tool",
        ["product", "customer-service"],
        "Ask about the last time the problem happened, not about features. Twelve questions "
        "and how to take notes that a team can use.",
        None,
        "# Discovery interviews\n\nTell me about the last time... What did you try? "
        "What did it cost you? Record quotes, not opinions.",
    ),
    (
        "Feature prioritisation with RICE",
        "tool",
        ["product"],
        "Reach, impact, confidence, effort: a scoring sheet to compare feature ideas and "
        "explain the order to stakeholders.",
        "https://example.org/rice-scoring",
        None,
    ),
    (
        "Choosing a CRM for a 20-person sales team",
        "article",
        ["technology", "sales"],
        "What mattered in our selection: pipeline views, e-mail integration, reporting, "
        "price per seat, and how hard it is to leave.",
        "https://example.org/crm-selection",
        None,
    ),
    (
        "Cybersecurity basics for managers",
        "article",
        ["technology", "legal-compliance"],
        "Multi-factor authentication, a password manager, phishing drills and an incident "
        "contact list: the four things every team should have.",
        "https://example.org/security-basics",
        None,
    ),
    (
        "Automating reports with spreadsheets and scripts",
        "practice",
        ["technology", "operations"],
        "Replace the Friday copy-paste report with a scheduled export and a dashboard; "
        "saved four hours a week.",
        "https://example.org/report-automation",
        None,
    ),
    (
        "GDPR checklist for customer data",
        "template",
        ["legal-compliance", "customer-service"],
        "What personal data you hold, the legal basis, retention periods, who has access, "
        "and how to answer a subject access request within a month.",
        None,
        "# GDPR checklist\n\nData inventory. Legal basis. Retention. Access rights. "
        "Subject access requests within 30 days. Breach notification within 72 hours.",
    ),
    (
        "Employment contract review points",
        "tool",
        ["legal-compliance", "hiring"],
        "Notice periods, non-compete clauses, probation, intellectual property: what to "
        "check with counsel before sending an offer.",
        "https://example.org/contract-review",
        None,
    ),
    (
        "Handling a harassment complaint",
        "practice",
        ["legal-compliance", "team-building"],
        "Take it seriously, document, protect the person who complained, involve HR the "
        "same day, and never investigate alone.",
        None,
        "# Complaint handling\n\nListen. Document facts and dates. Involve HR. "
        "No retaliation. Follow up in writing.",
    ),
    (
        "Delegation levels card",
        "tool",
        ["team-building", "leading-change"],
        "Seven levels from 'I decide' to 'you decide and tell me later'; agree the level "
        "per task with each direct report.",
        "https://example.org/delegation-levels",
        None,
    ),
    (
        "Difficult feedback conversation script",
        "template",
        ["team-building"],
        "Situation, behaviour, impact, then ask and listen. A script with example "
        "sentences for the first two minutes.",
        None,
        "# Feedback script\n\nSituation. Behaviour. Impact. Question. Silence. "
        "Agree one next step and a date.",
    ),
    (
        "Hiring your first salesperson",
        "article",
        ["hiring", "sales"],
        "Hire a builder, not a closer; pay a base high enough to survive a long cycle; "
        "give them six months and a clear territory.",
        "https://example.org/first-sales-hire",
        None,
    ),
    (
        "Remote meeting rules that work",
        "practice",
        ["operations", "team-building"],
        "Cameras on for decisions, an agenda 24 hours ahead, a note-taker, and decisions "
        "written in the chat before the call ends.",
        "https://example.org/remote-meetings",
        None,
    ),
    (
        "Inventory turnover improvement",
        "practice",
        ["operations", "finance"],
        "ABC analysis of stock, reorder points per class, and a monthly review of slow "
        "movers freed 20% of working capital.",
        "https://example.org/inventory-turns",
        None,
    ),
    (
        "Churn analysis worksheet",
        "template",
        ["customer-service", "finance"],
        "Cohort table of customers lost per month with reasons and revenue; shows whether "
        "churn comes from onboarding, price or service.",
        None,
        "# Churn worksheet\n\nCohorts by signup month. Reasons coded. Revenue lost. "
        "Top three causes and owners.",
    ),
]

ASK_ME_ABOUT = {
    "hiring": "building a hiring process from scratch",
    "finance": "cash flow and talking to the bank",
    "sales": "scaling a sales team from 5 to 30",
    "leading-change": "merging two teams after an acquisition",
    "team-building": "turning around a team with low trust",
    "operations": "getting a service backlog under control",
    "marketing": "B2B marketing on a small budget",
    "strategic-planning": "running a strategy offsite",
    "product": "product discovery with customers",
    "technology": "choosing and rolling out software",
    "customer-service": "winning back unhappy key accounts",
    "legal-compliance": "GDPR in a small company",
}

QUESTIONS = [
    (
        "How do you keep top performers after a hard reorganization?",
        "We merged two departments last quarter; two of my best people are looking around. "
        "What did you do to keep key people through a change like this?",
        ["leading-change", "team-building"],
        [
            "Meet each of them alone within a week and ask what would make them stay; "
            "then deliver one thing fast. For us it was a clear title and a project of "
            "their own.",
            "Be honest about what is still open. People leave because of uncertainty more "
            "than because of the change itself.",
        ],
    ),
    (
        "What is a reasonable ramp-up time for a new account executive?",
        "Our sales cycle is about four months. Management expects full quota after three "
        "months. Is that realistic?",
        ["sales", "hiring"],
        [
            "With a four-month cycle, plan for six to nine months before full quota; set "
            "activity targets for the first quarter instead.",
        ],
    ),
    (
        "How often should a small company reforecast cash?",
        "We are 40 people and have a monthly close. Our bank asked for a forecast.",
        ["finance"],
        [
            "Weekly, with a rolling 13-week forecast. It takes 30 minutes once the template "
            "is set up, and the bank will love it.",
            "We do it weekly in busy seasons and every two weeks otherwise.",
        ],
    ),
]


def seed_resources(*, organization: Organization, rng: random.Random, today: date) -> dict:
    """A library of 40+ resources, a directory with most members listed, and a few
    questions with answers. Returns counts of what was made."""
    people = _network_people(organization)
    if not people:
        return {"resources": 0, "listed": 0, "questions": 0}
    listed = _directory(organization, people, rng)
    made = _library(organization, people, rng, today)
    questions = _questions(organization, listed, rng, today)
    return {"resources": made, "listed": len(listed), "questions": questions}


def _network_people(organization: Organization) -> list:
    roles = (
        OrganizationRole.objects.filter(
            organization=organization, role__in=[Role.MEMBER, Role.FACILITATOR]
        )
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    seen, people = set(), []
    for role in roles:
        if role.user_id not in seen:
            seen.add(role.user_id)
            people.append(role.user)
    return people


def _directory(organization, people, rng) -> list:
    listed = []
    for user in people:
        if rng.random() < 0.15:  # most, not all, choose to be listed
            continue
        access = organization_access(user, organization.slug)
        topics = rng.sample(sorted(ASK_ME_ABOUT), 2)
        network.directory_entry_save(
            user=user,
            access=access,
            listed=True,
            show_region=rng.random() < 0.9,
            ask_me_about=ASK_ME_ABOUT[topics[0]],
            ask_me_about_topics=topics,
            handled_topics=rng.sample(sorted(ASK_ME_ABOUT), 2),
        )
        listed.append(user)
    return listed


def _readers(organization) -> dict[int, list]:
    """Group id -> people who may share in it (accepted members, the facilitator)."""
    readers: dict[int, list] = {}
    accepted = set(
        AgreementAcceptance.objects.filter(agreement__group__organization=organization).values_list(
            "agreement__group_id", "user_id"
        )
    )
    for group in PeerGroup.objects.filter(organization=organization).select_related("facilitator"):
        people = [
            m.user
            for m in GroupMembership.objects.filter(group=group).select_related("user")
            if (group.pk, m.user_id) in accepted
        ]
        if group.facilitator:
            people.append(group.facilitator)
        if people:
            readers[group.pk] = people
    return readers


def _library(organization, people, rng, today) -> int:
    readers = _readers(organization)
    group_ids = sorted(readers)
    made = []
    for index, (title, kind, topics, summary, url, text) in enumerate(LIBRARY):
        # Every fifth resource stays within one group, as members do with sensitive ones.
        group_id = group_ids[index % len(group_ids)] if group_ids and index % 5 == 4 else None
        sharer = rng.choice(readers[group_id] if group_id else people)
        access = organization_access(sharer, organization.slug)
        upload = None
        if text is not None:
            name = title.lower().replace(" ", "-")[:50] + ".md"
            upload = SimpleUploadedFile(name, text.encode(), content_type="text/markdown")
        resource = resources.resource_share(
            user=sharer,
            access=access,
            kind=kind,
            title=title,
            summary=summary,
            topics=topics,
            scope="group" if group_id else "organization",
            group_id=group_id,
            url=url or "",
            upload=upload,
        )
        when = timezone.make_aware(
            datetime.combine(today - timedelta(days=rng.randint(3, 200)), time(9))
        )
        Resource.objects.filter(pk=resource.pk).update(created_at=when, updated_at=when)
        made.append((resource, group_id))
    for resource, group_id in made:
        voters = readers[group_id] if group_id else people
        for voter in rng.sample(voters, min(len(voters), rng.randint(0, 6))):
            if voter.pk != resource.shared_by_id:
                resources.resource_vote_set(user=voter, resource=resource, useful=True)
    return len(made)


def _questions(organization, listed, rng, today) -> int:
    askers = list(listed)
    asked = 0
    for title, body, topics, answers in QUESTIONS:
        if not askers:
            break
        asker = rng.choice(askers)
        access = organization_access(asker, organization.slug)
        try:
            question = network.question_ask(
                user=asker,
                access=access,
                title=title,
                body=body,
                topics=topics,
                anonymous=asked == 1,
                share_answers=True,
            )
        except Conflict:  # nobody routable in a tiny organization: skip the question
            continue
        asked += 1
        recipients = list(
            QuestionRecipient.objects.filter(question=question).select_related("user")
        )
        for recipient, text in zip(recipients, answers, strict=False):
            view = network_selectors.question_for_user(
                user=recipient.user,
                access=organization_access(recipient.user, organization.slug),
                question_id=question.pk,
            )
            network.answer_give(user=recipient.user, view=view, body=text)
        Question.objects.filter(pk=question.pk).update(
            created_at=timezone.now() - timedelta(days=rng.randint(2, 20))
        )
    return asked
