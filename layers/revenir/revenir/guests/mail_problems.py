"""What the host reads about mail that could not go (issue 12, item 17): one line per reason, with a count.

The dispatcher records every message it gives up on (a permanent SES refusal, SES still refusing after every
retry, a template over budget or broken at send time, an interrupted send) under its reason; each message's own
outcome stays on the message. No jinja2 here: the read costs one Query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from revenir.guests.store import GuestRepository

ProblemKind = Literal["sender", "transient", "template", "interrupted", "error"]


class MailProblem(BaseModel):
    reason: str = Field(description="SES's error code (MessageRejected, Throttling…) or ours "
                                    "(template_over_budget, template_error, interrupted…).")
    kind: ProblemKind = Field(description="sender: SES refused for good (check the sender address and the "
                                          "recipient); transient: SES kept refusing after every retry; template: "
                                          "fix the template; interrupted: resend by hand if needed; error: other.")
    count: int = Field(description="Messages given up on for this reason.")
    first_at: str
    last_at: str
    last_error: str = Field(description="The last refusal's message.")
    last_template_id: str
    last_email: str


class MailProblems(BaseModel):
    property_id: str
    total: int
    problems: list[MailProblem] = Field(description="Most recent first.")


@dataclass(frozen=True)
class MailProblemLog:
    repository: GuestRepository

    def list(self, property_id: str) -> MailProblems:
        problems = sorted((MailProblem.model_validate(i) for i in self.repository.mail_problems(property_id)),
                          key=lambda p: p.last_at, reverse=True)
        return MailProblems(property_id=property_id, total=sum(p.count for p in problems), problems=problems)


__all__ = ["MailProblem", "MailProblemLog", "MailProblems"]
