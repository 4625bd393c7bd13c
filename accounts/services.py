"""Writes about accounts: sign-up, confirmation, invitations, consents,
passwords, family details. Every e-mail goes through the notifications
outbox and leaves after the transaction commits."""

from __future__ import annotations

import enum
import logging
import secrets
import uuid
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from cms.models import School
from notifications.constants import Event
from notifications.services import notify

from .constants import ConsentKind, InvitationKind, Role
from .models import (
    AccountInvitation,
    Child,
    Consent,
    EmailConfirmation,
    Family,
    GuardianInvitation,
    User,
    hash_token,
)
from .selectors import ConsentDocument, invitable_schools

logger = logging.getLogger(__name__)

class AccountError(Exception):
    """A request that cannot be carried out; ``str()`` is a French message
    for the person who asked."""


class EmailTaken(AccountError):
    def __init__(self, email: str = "") -> None:
        super().__init__(_("Un compte existe déjà avec cette adresse e-mail."))
        self.email = email


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _person(user: User) -> dict:
    """What message templates may show of a person (plain values only)."""
    return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}


# --- Sign-up ------------------------------------------------------------------------------


def signup_create_family_account(
    *,
    first_name: str,
    last_name: str,
    email: str,
    password_hash: str,
    schools: list[School],
    documents: list[ConsentDocument],
) -> User | None:
    """The fifth step: the family, its first guardian (e-mail address not
    confirmed yet), its schools and what it accepted, then the confirmation
    link by e-mail. ``password_hash`` was made by ``make_password`` at step
    2: the password itself is never kept.

    When the address already has an account, nothing is created and its
    owner is told by e-mail instead (``None`` is returned): the sign-up
    answers alike either way, so that it cannot be used to test which
    addresses have an account."""
    email = User.objects.normalize_email(email).lower()
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                raise EmailTaken(email)
            family = Family.objects.create(name=last_name.strip())
            family.schools.set(schools)
            user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip(), family=family)
            user.password = password_hash
            user.save()
            consents_record(family=family, user=user, documents=documents)
            email_confirmation_send(user=user)
    except (EmailTaken, IntegrityError):
        _account_exists_notify(email=email)
        return None
    return user


def _account_exists_notify(*, email: str) -> None:
    owner = User.objects.filter(email__iexact=email).first()
    if owner is None or not owner.is_active:
        return
    with transaction.atomic():
        notify(
            event=Event.ACCOUNT_EXISTS,
            recipient=owner.email,
            key=f"account-exists-{owner.pk}-{uuid.uuid4().hex}",
            context={
                "user": _person(owner),
                "link": _absolute(reverse("accounts:login")),
                "reset_link": _absolute(reverse("accounts:password_reset")),
            },
            user=owner,
        )


# --- Consents -------------------------------------------------------------------------------


def consents_record(*, family: Family, user: User, documents: list[ConsentDocument]) -> list[Consent]:
    """Store that ``user`` accepted, for ``family``, each of ``documents`` in
    the version shown."""
    now = timezone.now()
    return Consent.objects.bulk_create(
        [
            Consent(
                family=family,
                user=user,
                kind=document.kind,
                terms_page=document.terms_page if document.kind == ConsentKind.TERMS else None,
                school=document.school,
                rules=document.rules,
                version=document.version,
                title=document.title[:255],
                accepted_at=now,
            )
            for document in documents
        ]
    )


# --- E-mail confirmation ------------------------------------------------------------------------


class ConfirmationStatus(enum.Enum):
    CONFIRMED = "confirmed"
    ALREADY_USED = "already_used"
    EXPIRED = "expired"
    INVALID = "invalid"
    # The confirmation would let the account into a family (a second
    # guardian's link was used): it must be followed signed in as the
    # account, so that whoever chose its password is the one reading the
    # address's mail.
    SIGN_IN_REQUIRED = "sign_in_required"


def email_confirmation_send(*, user: User) -> EmailConfirmation:
    """A new confirmation link (valid ``ACCOUNT_CONFIRMATION_HOURS``, once)."""
    token = secrets.token_urlsafe(32)
    hours = settings.ACCOUNT_CONFIRMATION_HOURS
    confirmation = EmailConfirmation.objects.create(
        user=user,
        email=user.email,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    notify(
        event=Event.ACCOUNT_CONFIRMATION,
        recipient=user.email,
        key=f"confirmation-{confirmation.pk}",
        context={
            "user": _person(user),
            "link": _absolute(reverse("accounts:confirm_email", args=[token])),
            "validity_hours": hours,
        },
        user=user,
    )
    return confirmation


def email_confirmation_check(*, token: str, by: User | None = None) -> ConfirmationStatus:
    """What following ``token`` would do for ``by`` (the person signed in,
    if any), without doing it."""
    confirmation = EmailConfirmation.objects.filter(token_hash=hash_token(token)).select_related("user").first()
    return _confirmation_status(confirmation, by)


def _confirmation_status(confirmation: EmailConfirmation | None, by: User | None) -> ConfirmationStatus:
    if confirmation is None or confirmation.email.lower() != confirmation.user.email.lower():
        return ConfirmationStatus.INVALID
    if confirmation.used_at is not None:
        return ConfirmationStatus.ALREADY_USED
    if confirmation.expires_at <= timezone.now():
        return ConfirmationStatus.EXPIRED
    if _pending_joins(confirmation.user).exists() and (by is None or by.pk != confirmation.user_id):
        return ConfirmationStatus.SIGN_IN_REQUIRED
    return ConfirmationStatus.CONFIRMED


@transaction.atomic
def email_confirm(*, token: str, by: User | None = None) -> tuple[ConfirmationStatus, User | None]:
    """Follow a confirmation link: once, before it expires; signed in as the
    account when confirming lets it into a family."""
    confirmation = (
        EmailConfirmation.objects.select_for_update()
        .filter(token_hash=hash_token(token))
        .select_related("user")
        .first()
    )
    status = _confirmation_status(confirmation, by)
    if status is not ConfirmationStatus.CONFIRMED:
        return status, confirmation.user if confirmation else None
    now = timezone.now()
    confirmation.used_at = now
    confirmation.save(update_fields=["used_at"])
    user = confirmation.user
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
        user.save(update_fields=["email_confirmed_at"])
    guardian_joins_complete(user=user)
    return status, user


# --- Accounts created by a school ---------------------------------------------------------------


def provisional_password() -> str:
    """Twelve letters and digits without look-alikes, in groups of four."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def _serves(user: User, school: School) -> bool:
    """Whether ``user`` works for ``school``: its directors; editors and
    administrators serve every school."""
    return invitable_schools(user=user).filter(pk=school.pk).exists()


def _is_school_staff(user: User, school: School | None) -> bool:
    return school is not None and user.has_role(Role.DIRECTOR) and user.directed_schools.filter(pk=school.pk).exists()


@transaction.atomic
def family_invite(
    *, invited_by: User, email: str, last_name: str, first_name: str = "", school: School
) -> AccountInvitation:
    """A school creates a family's account: the family receives its
    identifier and a provisional password by e-mail, must sign in before the
    invitation expires and then choose its own password.

    Inviting again an address whose invitation was never used sends a new
    password and a new expiry date — only when asked by the staff of the
    school that first invited it, or by an editor or an administrator
    (recorded as such). An account already in use cannot be invited, and a
    family is attached only to a school the inviter serves."""
    if not _serves(invited_by, school):
        raise AccountError(_("Vous ne pouvez pas inviter de famille pour cette école."))
    email = User.objects.normalize_email(email).lower()
    password = provisional_password()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    kind = InvitationKind.FIRST
    if user is not None:
        first = user.account_invitations.order_by("created_at", "pk").select_related("school").first()
        if not (user.must_change_password and first is not None):
            raise AccountError(
                _(
                    "Un compte existe déjà pour cette adresse et il est utilisé : la famille peut se connecter, "
                    "ou choisir un nouveau mot de passe avec « Mot de passe oublié »."
                )
            )
        if _is_school_staff(invited_by, first.school):
            kind = InvitationKind.RESENT
        elif invited_by.is_superuser or invited_by.has_role(Role.EDITOR):
            kind = InvitationKind.RESENT_BY_ADMINISTRATION
            logger.warning(
                "Invitation of account %s (first sent for school %s) sent again by %s (editor or administrator) "
                "for school %s", user.pk, first.school_id, invited_by.pk, school.pk,
            )
        else:
            raise AccountError(
                _(
                    "Cette adresse a déjà été invitée par une autre école : seule cette école, ou un administrateur "
                    "du portail, peut renvoyer son invitation."
                )
            )
        user.set_password(password)
        user.save(update_fields=["password"])
        # The earlier provisional passwords are gone: their invitations end now.
        user.account_invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now()).update(
            expires_at=timezone.now()
        )
    else:
        family = Family.objects.create(name=last_name.strip())
        user = User(
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            family=family,
            must_change_password=True,
        )
        user.set_password(password)
        user.save()
    if user.family_id is not None:
        user.family.schools.add(school)
    expires_at = timezone.now() + timedelta(days=settings.ACCOUNT_INVITATION_DAYS)
    invitation = AccountInvitation.objects.create(
        user=user, school=school, invited_by=invited_by, expires_at=expires_at, kind=kind
    )
    notify(
        event=Event.ACCOUNT_INVITATION,
        recipient=email,
        key=f"invitation-{invitation.pk}",
        context={
            "school": {"name": school.name, "commune": school.commune},
            "email": email,
            "provisional_password": password,
            "expires_at": expires_at,
            "link": _absolute(reverse("accounts:login")),
        },
        user=user,
    )
    return invitation


def family_invite_resend(*, invitation: AccountInvitation, by: User) -> AccountInvitation:
    """« Renvoyer » on an invitation: the same account, the same school, a
    new provisional password (``family_invite``'s rules)."""
    if invitation.school is None:
        raise AccountError(_("Cette invitation n'a plus d'école : invitez la famille à nouveau."))
    user = invitation.user
    return family_invite(
        invited_by=by, email=user.email, last_name=user.last_name, first_name=user.first_name, school=invitation.school
    )


@transaction.atomic
def password_set(*, user: User, password: str) -> User:
    """The person chose a password (change, reset, or the first one of an
    account a school created): the provisional password is gone, and an
    invitation received by e-mail proves the address."""
    now = timezone.now()
    user.set_password(password)
    fields = ["password"]
    if user.must_change_password:
        user.must_change_password = False
        fields.append("must_change_password")
        AccountInvitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=now)
        if user.email_confirmed_at is None:
            user.email_confirmed_at = now
            fields.append("email_confirmed_at")
    user.save(update_fields=fields)
    return user


@transaction.atomic
def password_reset_completed(*, user: User) -> User:
    """A password chosen through a reset link, which only reaches the
    owner of the address: the address is confirmed, the provisional
    password (if any) replaced."""
    now = timezone.now()
    fields = []
    if user.must_change_password:
        user.must_change_password = False
        fields.append("must_change_password")
        AccountInvitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=now)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
        fields.append("email_confirmed_at")
    if fields:
        user.save(update_fields=fields)
    # The reset link reached the address: a second guardian's join waiting
    # for that proof is complete (and whoever chose the earlier password is
    # signed out by the change).
    guardian_joins_complete(user=user)
    # Whoever was locked out of this address by wrong passwords has proved
    # they own it.
    axes_reset(username=user.email)
    return user


# --- Password reset --------------------------------------------------------------------------------


def password_reset_send(*, email: str) -> bool:
    """Send a reset link if an active account has this address; say
    nothing either way (the caller answers the same in both cases)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    with transaction.atomic():
        notify(
            event=Event.PASSWORD_RESET,
            recipient=user.email,
            key=f"reset-{user.pk}-{uuid.uuid4().hex}",
            context={
                "user": _person(user),
                "link": _absolute(reverse("accounts:password_reset_confirm", args=[uid, token])),
            },
            user=user,
        )
    return True


# --- Family ------------------------------------------------------------------------------------------


def family_update_contact(*, family: Family, address: str, postal_code: str, commune: str, phone: str,
                          phone_alt: str) -> Family:
    family.address = address.strip()
    family.postal_code = postal_code.strip()
    family.commune = commune.strip()
    family.phone = phone.strip()
    family.phone_alt = phone_alt.strip()
    family.save(update_fields=["address", "postal_code", "commune", "phone", "phone_alt"])
    return family


def child_save(*, family: Family, child: Child | None = None, first_name: str, last_name: str, birth_date,
               level: str) -> Child:
    """Add a child to ``family``, or change one of its children."""
    if child is None:
        child = Child(family=family)
    elif child.family_id != family.pk:
        raise AccountError(_("Cet enfant n'appartient pas à votre famille."))
    child.first_name = first_name.strip()
    child.last_name = last_name.strip()
    child.birth_date = birth_date
    child.level = level
    child.save()
    return child


def family_set_schools(*, family: Family, schools: list[School]) -> Family:
    family.schools.set(schools)
    return family


# --- Second guardian -------------------------------------------------------------------------------------


class InvitationStatus(enum.Enum):
    VALID = "valid"
    ALREADY_USED = "already_used"
    EXPIRED = "expired"
    INVALID = "invalid"


@transaction.atomic
def guardian_invite(*, family: Family, invited_by: User, email: str) -> GuardianInvitation:
    """Invite a second guardian into ``family`` by e-mail (link valid
    ``GUARDIAN_INVITATION_DAYS``, once)."""
    token = secrets.token_urlsafe(32)
    invitation = GuardianInvitation.objects.create(
        family=family,
        email=User.objects.normalize_email(email).lower(),
        invited_by=invited_by,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=settings.GUARDIAN_INVITATION_DAYS),
    )
    notify(
        event=Event.GUARDIAN_INVITATION,
        recipient=invitation.email,
        key=f"guardian-{invitation.pk}",
        context={
            "family": {"name": family.name},
            "inviter": _person(invited_by),
            "link": _absolute(reverse("accounts:guardian_accept", args=[token])),
        },
    )
    return invitation


def guardian_invitation_lookup(*, token: str) -> tuple[InvitationStatus, GuardianInvitation | None]:
    invitation = GuardianInvitation.objects.filter(token_hash=hash_token(token)).select_related("family").first()
    if invitation is None:
        return InvitationStatus.INVALID, None
    if invitation.used_at is not None or invitation.accepted_at is not None:
        return InvitationStatus.ALREADY_USED, invitation
    if invitation.expires_at <= timezone.now():
        return InvitationStatus.EXPIRED, invitation
    return InvitationStatus.VALID, invitation


def _claim_invitation(token: str) -> GuardianInvitation:
    invitation = GuardianInvitation.objects.select_for_update().filter(token_hash=hash_token(token)).first()
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.accepted_at is not None
        or invitation.expires_at <= timezone.now()
    ):
        raise AccountError(_("Cette invitation n'est plus valable. Demandez une nouvelle invitation."))
    return invitation


def _pending_joins(user: User):
    """The second-guardian links this account used, waiting for it to
    confirm the invited address, still within their validity."""
    return GuardianInvitation.objects.filter(
        accepted_by=user, used_at__isnull=False, accepted_at__isnull=True, expires_at__gt=timezone.now()
    )


@transaction.atomic
def guardian_joins_complete(*, user: User) -> list[GuardianInvitation]:
    """The account proved it reads the invited address (a confirmation or a
    reset link): it joins the family it was invited into."""
    if user.email_confirmed_at is None:
        return []
    joined = []
    for invitation in _pending_joins(user).select_for_update().select_related("family"):
        if invitation.email.lower() != user.email.lower():
            continue
        if user.family_id is not None and user.family_id != invitation.family_id:
            continue
        user.family = invitation.family
        user.save(update_fields=["family"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        joined.append(invitation)
    return joined


@transaction.atomic
def guardian_accept_new(*, token: str, first_name: str, last_name: str, password: str) -> User:
    """The invited guardian has no account: create it, outside the family,
    and send a confirmation link to the invited address. The link of the
    invitation is spent; the account joins the family when it follows the
    confirmation link signed in (``email_confirm``): until then it sees
    nothing of the family. Whoever holds only the invitation's link, not
    the mailbox, gets nothing."""
    invitation = _claim_invitation(token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise EmailTaken(invitation.email)
    user = User(email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_password(password)
    user.save()
    invitation.used_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["used_at", "accepted_by"])
    email_confirmation_send(user=user)
    return user


@transaction.atomic
def guardian_accept_existing(*, token: str, user: User) -> bool:
    """The invited guardian already has an account (signed in as the
    invited address): it joins the family now if that address is
    confirmed, else once it is (a confirmation link is sent). Returns
    whether it joined now."""
    invitation = _claim_invitation(token)
    if user.email.lower() != invitation.email.lower():
        raise AccountError(
            _("Cette invitation a été envoyée à une autre adresse e-mail. Connectez-vous avec l'adresse invitée.")
        )
    if user.family_id is not None and user.family_id != invitation.family_id:
        raise AccountError(
            _("Votre compte est déjà rattaché à une autre famille : il ne peut pas rejoindre celle-ci.")
        )
    invitation.used_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["used_at", "accepted_by"])
    if user.email_confirmed_at is None:
        email_confirmation_send(user=user)
        return False
    return bool(guardian_joins_complete(user=user))
