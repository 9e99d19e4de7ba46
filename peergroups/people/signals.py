"""Keep the copy of an account's name on its member profiles (MemberProfile.sort_name)."""

from django.db.models.signals import post_save


def copy_name_to_profiles(sender, instance, created, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and "full_name" not in update_fields):
        return  # a new account has no profile yet; a login touches last_login only
    from peergroups.people.models import MemberProfile

    MemberProfile.objects.filter(user=instance).exclude(sort_name=instance.full_name).update(
        sort_name=instance.full_name
    )


def connect() -> None:
    from django.contrib.auth import get_user_model

    post_save.connect(copy_name_to_profiles, sender=get_user_model(), dispatch_uid="sort_name")
