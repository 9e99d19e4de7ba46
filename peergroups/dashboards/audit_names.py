"""How the audit log names each kind of object (`audit.naming`): people by name and
e-mail, groups and programs by name; kinds whose names could carry confidential words
(a group's resource, a question) by their kind only."""

from django.utils.formats import date_format
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.audit.naming import audit_namer
from peergroups.formation.models import FormationRun
from peergroups.formats import in_sentence
from peergroups.groups.models import PeerGroup
from peergroups.meetings.models import Meeting
from peergroups.organizations.models import Invitation, Organization, Program
from peergroups.people.models import Category, FacilitatorProfile, MemberProfile


def _person(user) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


@audit_namer("user")
def _users(ids):
    return {u.pk: _person(u) for u in User.objects.filter(pk__in=ids).only("full_name", "email")}


@audit_namer("group")
def _groups(ids):
    return {
        g.pk: gettext("group “%(name)s”") % {"name": g.name}
        for g in PeerGroup.objects.filter(pk__in=ids).only("name")
    }


@audit_namer("program")
def _programs(ids):
    return {
        p.pk: gettext("program “%(name)s”") % {"name": p.name}
        for p in Program.objects.filter(pk__in=ids).only("name")
    }


@audit_namer("organization")
def _organizations(ids):
    return {
        o.pk: gettext("organization “%(name)s”") % {"name": o.name}
        for o in Organization.objects.filter(pk__in=ids)
    }


@audit_namer("invitation")
def _invitations(ids):
    rows = Invitation.objects.filter(pk__in=ids).only("email")
    return {i.pk: gettext("invitation of %(email)s") % {"email": i.email} for i in rows}


@audit_namer("memberprofile")
def _member_profiles(ids):
    rows = MemberProfile.objects.filter(pk__in=ids).select_related("user")
    return {p.pk: gettext("intake of %(person)s") % {"person": _person(p.user)} for p in rows}


@audit_namer("facilitatorprofile")
def _facilitator_profiles(ids):
    rows = FacilitatorProfile.objects.filter(pk__in=ids).select_related("user")
    return {
        p.pk: gettext("facilitator application of %(person)s") % {"person": _person(p.user)}
        for p in rows
    }


@audit_namer("category")
def _categories(ids):
    rows = Category.objects.filter(pk__in=ids)
    return {
        c.pk: gettext("%(kind)s “%(label)s”")
        % {"kind": in_sentence(c.get_kind_display()), "label": c.label}
        for c in rows
    }


@audit_namer("run")
def _runs(ids):
    rows = (
        FormationRun.objects.filter(pk__in=ids)
        .select_related("program")
        .only("cycle", "program__name")
    )
    return {
        r.pk: gettext("formation of “%(program)s”, cycle %(cycle)s")
        % {"program": r.program.name, "cycle": r.cycle}
        for r in rows
    }


@audit_namer("meeting")
def _meetings(ids):
    rows = (
        Meeting.objects.filter(pk__in=ids).select_related("group").only("starts_at", "group__name")
    )
    return {
        m.pk: gettext("meeting of “%(group)s” on %(day)s")
        % {"group": m.group.name, "day": date_format(m.starts_at, "SHORT_DATE_FORMAT")}
        for m in rows
    }
