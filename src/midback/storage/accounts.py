"""Accounts, clinician links and login back-off in the database (server mode)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from midback.domain.accounts import (
    CODE_ALPHABET,
    CODE_LENGTH,
    FORGET_AFTER,
    Account,
    AccountError,
    Assignment,
    Backoff,
    Invite,
    LinkedClinician,
    Patient,
    Role,
    Scope,
    clean_display_name,
    normalise_code,
    normalise_email,
)
from midback.errors import NotFound
from midback.storage.engine import id_fits, retrying, writer_lock
from midback.storage.tables import (
    AssignmentRow,
    InviteRow,
    LinkRow,
    LoginAttemptRow,
    LoginKnownRow,
    PasswordResetRow,
    PersonRow,
)

__all__ = ["AccountError", "Assignment", "Invite", "SqlAccounts"]
"""Invite, Assignment and AccountError live in ``domain.accounts``; named here as before."""


class SqlAccounts:
    """People's accounts, their sessions' version, invites, links, assignments and back-off.

    Like ``SqlRepository``, each method is one transaction, run again when the database refused
    it for a moment (``engine.retrying``).
    """

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._writer = writer_lock(engine)

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction; ``write``: on SQLite it waits for the other writers first, so a
        read-then-write transaction cannot interleave with another (``writer_lock``)."""
        writer = self._writer if write else nullcontext()
        with writer, Session(self._engine, expire_on_commit=False) as session, session.begin():
            yield session

    # -- people --------------------------------------------------------------------------
    @retrying()
    def create(self, email: str, password_hash: str, *, role: Role, at: datetime) -> Account:
        """A new account; AccountError when the email is taken."""
        row = PersonRow(
            email=normalise_email(email), password_hash=password_hash, role=role.value,
            created_at=at, session_version=0,
        )  # fmt: skip
        try:
            with self._transaction(write=True) as db:
                db.add(row)
                db.flush()
        except IntegrityError:
            raise AccountError(f"email: {normalise_email(email)} already has an account") from None
        return _account(row)

    @retrying()
    def by_email(self, email: str) -> tuple[Account, str | None, int] | None:
        """The account, its password hash and session version, or None."""
        with self._transaction() as db:
            row = db.scalars(
                sa.select(PersonRow).where(PersonRow.email == normalise_email(email))
            ).first()
            return (_account(row), row.password_hash, row.session_version) if row else None

    @retrying()
    def get(self, person_id: int) -> tuple[Account, int]:
        """The account and its session version; NotFound when gone."""
        with self._transaction() as db:
            row = db.get(PersonRow, person_id)
            if row is None:
                raise NotFound("person", person_id)
            return _account(row), row.session_version

    @retrying()
    def set_password(
        self, person_id: int, password_hash: str, *, end_sessions: bool = True
    ) -> None:
        """Change the password hash and (unless told not to: a rehash of the same password)
        end every session of the person."""
        with self._transaction(write=True) as db:
            row = db.get(PersonRow, person_id)
            if row is None:
                raise NotFound("person", person_id)
            row.password_hash = password_hash
            if end_sessions:
                row.session_version += 1

    @retrying()
    def end_sessions(self, person_id: int) -> None:
        """Log the person out everywhere (older cookies stop working)."""
        with self._transaction(write=True) as db:
            db.execute(
                sa.update(PersonRow)
                .where(PersonRow.id == person_id)
                .values(session_version=PersonRow.session_version + 1)
            )

    @retrying()
    def delete(self, person_id: int) -> None:
        """Delete the person and, by cascade, every row of theirs."""
        with self._transaction(write=True) as db:
            row = db.get(PersonRow, person_id)
            if row is None:
                raise NotFound("person", person_id)
            db.execute(sa.delete(AssignmentRow).where(AssignmentRow.person_id == person_id))
            db.execute(sa.delete(LinkRow).where(LinkRow.person_id == person_id))
            if row.email:
                db.execute(sa.delete(LoginAttemptRow).where(sa.or_(
                    LoginAttemptRow.key == f"account:{row.email}",
                    LoginAttemptRow.key.startswith(f"pair:{row.email}|", autoescape=True),
                )))  # fmt: skip
                db.execute(sa.delete(LoginKnownRow).where(
                    LoginKnownRow.key.startswith(f"{row.email}|", autoescape=True)
                ))  # fmt: skip
            db.delete(row)

    # -- login back-off ------------------------------------------------------------------
    @retrying()
    def begin_attempt(
        self, counted: Mapping[str, Backoff], now: datetime, *, checked: Sequence[str] = ()
    ) -> datetime | None:
        """One login (or sign-up) attempt, checked and counted in one transaction: the latest
        lock running on any of ``counted`` or ``checked`` (and nothing counted), or None after
        counting the attempt as a failure on every ``counted`` key (``succeeded`` forgets it).
        Parallel guesses queue on the counted keys' rows, so each sees the ones before it: a
        burst at one account cannot outrun its lock. The ``checked`` keys (an address, an
        account from everywhere) count only real failures (``record_failures``): many people
        signing in at once from one address are not each other's failures.

        A key's failures are forgotten after ``FORGET_AFTER`` without one.
        """
        names = sorted(counted)
        with self._transaction(write=True) as db:
            rows = self._locked_rows(db, names, now)
            others = db.scalars(sa.select(LoginAttemptRow).where(LoginAttemptRow.key.in_(checked)))
            for row in rows:
                if now - row.last_failure_at > FORGET_AFTER:
                    row.failures, row.locked_until = 0, None
            locks: list[datetime] = [
                r.locked_until
                for r in [*rows, *others]
                if r.locked_until and r.locked_until > now
                and now - r.last_failure_at <= FORGET_AFTER
            ]  # fmt: skip
            if locks:
                return max(locks)
            for row in rows:
                _count(row, counted[row.key], now)
            return None

    @retrying(on_clash=True)
    def record_failures(self, keys: Mapping[str, Backoff], now: datetime) -> None:
        """Count a failed attempt on each of ``keys`` (the ``checked`` keys of an attempt)."""
        with self._transaction(write=True) as db:
            for row in self._locked_rows(db, sorted(keys), now):
                _count(row, keys[row.key], now)

    @retrying()
    def succeeded(self, *, forget: str, known: str, now: datetime) -> None:
        """After a successful login: the ``forget`` key (the account at this address) starts
        again from nothing, and the ``known`` address is remembered for the account."""
        with self._transaction(write=True) as db:
            db.execute(sa.delete(LoginAttemptRow).where(LoginAttemptRow.key == forget))
            seen = db.get(LoginKnownRow, known, with_for_update=True)
            if seen is None:
                db.add(LoginKnownRow(key=known, last_at=now))
            else:
                seen.last_at = now

    @retrying()
    def is_known(self, key: str, *, since: datetime) -> bool:
        """Whether ``key`` (``email|address``) signed in since ``since``."""
        with self._transaction() as db:
            seen = db.get(LoginKnownRow, key)
            return seen is not None and seen.last_at >= since

    def _locked_rows(self, db: Session, names: list[str], now: datetime) -> list[LoginAttemptRow]:
        """The rows of ``names`` (made where missing), locked for this transaction, by name."""
        insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.execute(
            insert(LoginAttemptRow)
            .values([{"key": n, "failures": 0, "locked_until": None, "last_failure_at": now}
                     for n in names])
            .on_conflict_do_nothing()
        )  # fmt: skip
        query = (
            sa.select(LoginAttemptRow)
            .where(LoginAttemptRow.key.in_(names))
            .order_by(LoginAttemptRow.key)
            .with_for_update()
        )
        return list(db.scalars(query))

    # -- clinicians ----------------------------------------------------------------------
    @retrying()
    def new_invite(
        self,
        clinician_id: int,
        at: datetime,
        *,
        valid_for: timedelta,
        patient_name: str | None = None,
    ) -> Invite:
        """A fresh invite code of a clinician, good once until ``at + valid_for``, made for
        ``patient_name`` (the clinician's label, shown in their list). The code is
        ``CODE_LENGTH`` letters of ``CODE_ALPHABET``, drawn by ``secrets``."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        name = clean_display_name(patient_name or "")
        with self._transaction(write=True) as db:
            clinician = db.get(PersonRow, clinician_id)
            if clinician is None or clinician.role != Role.CLINICIAN.value:
                raise AccountError("only a clinician can invite")
            row = InviteRow(code=code, clinician_id=clinician_id, created_at=at,
                            expires_at=at + valid_for, patient_name=name)  # fmt: skip
            db.add(row)
        return Invite(code=code, created_at=at, expires_at=at + valid_for, patient_name=name)

    @retrying()
    def open_invites(self, clinician_id: int, now: datetime) -> list[Invite]:
        """The clinician's invites not yet used, revoked or expired, newest first."""
        with self._transaction() as db:
            rows = db.scalars(
                sa.select(InviteRow)
                .where(InviteRow.clinician_id == clinician_id, InviteRow.used_at.is_(None),
                       InviteRow.revoked_at.is_(None), InviteRow.expires_at > now)
                .order_by(InviteRow.created_at.desc())
            )  # fmt: skip
            return [Invite(code=r.code, created_at=r.created_at, expires_at=r.expires_at,
                           patient_name=r.patient_name)
                    for r in rows if r.expires_at is not None]  # fmt: skip

    @retrying()
    def revoke_invite(self, clinician_id: int, code: str, at: datetime) -> None:
        """Withdraw one of the clinician's unused invites (NotFound when it is not theirs,
        used or already withdrawn)."""
        with self._transaction(write=True) as db:
            invite = _find_invite(db, code)
            if (
                invite is None
                or invite.clinician_id != clinician_id
                or invite.used_at is not None
                or invite.revoked_at is not None
            ):
                raise NotFound("invite", code)
            invite.revoked_at = at

    @retrying()
    def invite_clinician(self, code: str, at: datetime) -> LinkedClinician:
        """Who an invite code links to (name and email), before the person accepts it;
        AccountError for a code unknown, used, revoked or expired."""
        with self._transaction() as db:
            invite = _usable_invite(db, code, at, lock=False)
            clinician = db.get(PersonRow, invite.clinician_id)
            assert clinician is not None  # the foreign key cascades
            return LinkedClinician(clinician_id=clinician.id, email=clinician.email,
                                   display_name=clinician.display_name, linked_at=at)  # fmt: skip

    @retrying()
    def accept_invite(
        self,
        person_id: int,
        code: str,
        at: datetime,
        *,
        full: bool = False,
        include_earlier: bool = False,
    ) -> int:
        """Link the person to the invite's clinician with the scope they chose; returns the
        clinician's id. An invite links once, ever (even after the person who used it is
        deleted), and not after it expires or is revoked. The code is read as typed: any
        case, spaces and dashes ignored. Linking again to the same clinician sets the new
        scope."""
        with self._transaction(write=True) as db:
            invite = _usable_invite(db, code, at, lock=True)
            if invite.clinician_id == person_id:
                raise AccountError("code: a clinician cannot link to themselves")
            invite.used_by = person_id
            invite.used_at = at
            since = None if include_earlier else at
            link = db.get(LinkRow, (person_id, invite.clinician_id), with_for_update=True)
            if link is None:
                db.add(LinkRow(person_id=person_id, clinician_id=invite.clinician_id,
                               created_at=at, full=full, since=since))  # fmt: skip
            else:
                link.full, link.since = full, since
            return invite.clinician_id

    @retrying()
    def scope(self, clinician_id: int, person_id: int) -> Scope | None:
        """What the person lets the clinician see; None when they are not linked."""
        if not id_fits(self._engine.dialect, person_id):
            return None
        with self._transaction() as db:
            link = db.get(LinkRow, (person_id, clinician_id))
            return None if link is None else Scope(full=link.full, since=link.since)

    @retrying()
    def set_display_name(self, person_id: int, name: str) -> str | None:
        """Set (or, with blank text, clear) how the person is named; returns the name stored
        (DisplayNameError for a name that cannot be one)."""
        cleaned = clean_display_name(name)
        with self._transaction(write=True) as db:
            row = db.get(PersonRow, person_id)
            if row is None:
                raise NotFound("person", person_id)
            row.display_name = cleaned
        return cleaned

    @retrying()
    def patients(self, clinician_id: int) -> list[Patient]:
        """The people linked to a clinician."""
        with self._transaction() as db:
            rows = db.execute(
                sa.select(LinkRow, PersonRow.email, PersonRow.display_name)
                .join(PersonRow, PersonRow.id == LinkRow.person_id)
                .where(LinkRow.clinician_id == clinician_id)
                .order_by(LinkRow.created_at)
            ).all()
            return [
                Patient(person_id=link.person_id, email=email, linked_at=link.created_at,
                        display_name=name)
                for link, email, name in rows
            ]  # fmt: skip

    @retrying()
    def clinicians(self, person_id: int) -> list[LinkedClinician]:
        """The clinicians the person is linked to, oldest link first, with their scope."""
        with self._transaction() as db:
            rows = db.execute(
                sa.select(LinkRow, PersonRow.email, PersonRow.display_name)
                .join(PersonRow, PersonRow.id == LinkRow.clinician_id)
                .where(LinkRow.person_id == person_id)
                .order_by(LinkRow.created_at)
            ).all()
            return [
                LinkedClinician(clinician_id=link.clinician_id, email=email,
                                display_name=name, linked_at=link.created_at,
                                scope=Scope(full=link.full, since=link.since))
                for link, email, name in rows
            ]  # fmt: skip

    @retrying()
    def unlink(self, person_id: int, clinician_id: int) -> None:
        """End the person's link to a clinician: from now on the clinician sees nothing of
        theirs (NotFound when not linked)."""
        if not id_fits(self._engine.dialect, clinician_id):
            raise NotFound("clinician", clinician_id)
        with self._transaction(write=True) as db:
            link = db.get(LinkRow, (person_id, clinician_id), with_for_update=True)
            if link is None:
                raise NotFound("clinician", clinician_id)
            db.delete(link)

    # -- password resets -----------------------------------------------------------------
    @retrying()
    def new_reset_code(self, email: str, at: datetime, *, valid_for: timedelta) -> str:
        """A one-time code to set a new password for the account of ``email`` (NotFound when
        there is none); a newer code replaces an older one."""
        code = secrets.token_urlsafe(12)
        with self._transaction(write=True) as db:
            row = db.scalars(
                sa.select(PersonRow).where(PersonRow.email == normalise_email(email))
            ).first()
            if row is None:
                raise NotFound("account", email)
            reset = db.get(PasswordResetRow, row.id, with_for_update=True)
            if reset is None:
                reset = PasswordResetRow(person_id=row.id, code_hash="", expires_at=at)
                db.add(reset)
            reset.code_hash = _digest(code)
            reset.expires_at = at + valid_for
        return code

    @retrying()
    def reset_password(self, email: str, code: str, password_hash: str, at: datetime) -> int:
        """Use a reset code: set the password, end every session, forget the code; returns the
        person's id (AccountError for a wrong, used or expired code)."""
        with self._transaction(write=True) as db:
            row = db.scalars(
                sa.select(PersonRow).where(PersonRow.email == normalise_email(email))
            ).first()
            reset = None if row is None else db.get(PasswordResetRow, row.id, with_for_update=True)
            if (
                row is None
                or reset is None
                or reset.expires_at <= at
                or not hmac.compare_digest(reset.code_hash, _digest(code.strip()))
            ):
                raise AccountError("code: this reset code is wrong, used or expired")
            db.delete(reset)
            row.password_hash = password_hash
            row.session_version += 1
            return row.id

    @retrying()
    def is_linked(self, clinician_id: int, person_id: int) -> bool:
        """Whether the person is linked to the clinician."""
        if not id_fits(self._engine.dialect, person_id):
            return False
        with self._transaction() as db:
            return db.get(LinkRow, (person_id, clinician_id)) is not None

    @retrying()
    def assign(
        self, clinician_id: int, person_id: int, program_id: str, note: str | None, at: datetime
    ) -> Assignment:
        """Assign a program to a linked person (NotFound when not linked)."""
        if not id_fits(self._engine.dialect, person_id):
            raise NotFound("person", person_id)
        with self._transaction(write=True) as db:
            if db.get(LinkRow, (person_id, clinician_id)) is None:
                raise NotFound("person", person_id)
            row = AssignmentRow(person_id=person_id, clinician_id=clinician_id,
                                program_id=program_id, note=note, assigned_at=at)  # fmt: skip
            db.add(row)
            db.flush()
            return _assignment(row)

    @retrying()
    def assignments(self, person_id: int) -> list[Assignment]:
        """Programs assigned to a person, newest first."""
        with self._transaction() as db:
            rows = db.scalars(
                sa.select(AssignmentRow)
                .where(AssignmentRow.person_id == person_id)
                .order_by(AssignmentRow.assigned_at.desc(), AssignmentRow.id.desc())
            )
            return [_assignment(r) for r in rows]


def _count(row: LoginAttemptRow, backoff: Backoff, now: datetime) -> None:
    if now - row.last_failure_at > FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    wait = backoff.wait(row.failures)
    row.locked_until = now + wait if wait else None


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _account(row: PersonRow) -> Account:
    return Account(id=row.id, email=row.email, role=Role(row.role), created_at=row.created_at,
                   display_name=row.display_name)  # fmt: skip


def _find_invite(db: Session, code: str, *, lock: bool = True) -> InviteRow | None:
    """The invite of ``code`` as typed: in its normal form (any case, no spaces or dashes),
    else exactly as stored (codes made before the unambiguous alphabet); ``lock``: for this
    transaction."""
    normal, typed = normalise_code(code), code.strip()
    found = db.get(InviteRow, normal, with_for_update=lock) if 0 < len(normal) <= 40 else None
    if found is None and typed != normal and 0 < len(typed) <= 40:
        found = db.get(InviteRow, typed, with_for_update=lock)
    return found


def _usable_invite(db: Session, code: str, at: datetime, *, lock: bool) -> InviteRow:
    """The invite of ``code`` if it can still link someone, else AccountError."""
    invite = _find_invite(db, code, lock=lock)
    if (
        invite is None
        or invite.used_at is not None
        or invite.used_by is not None
        or invite.revoked_at is not None
        or invite.expires_at is None
        or invite.expires_at <= at
    ):
        raise AccountError("code: this invite code is unknown, used, withdrawn or expired")
    return invite


def _assignment(row: AssignmentRow) -> Assignment:
    return Assignment(
        id=row.id,
        person_id=row.person_id,
        clinician_id=row.clinician_id,
        program_id=row.program_id,
        note=row.note,
        assigned_at=row.assigned_at,
    )
