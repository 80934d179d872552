"""Models of the participation module, split by feature (reports, budget, trees, dialogues)."""

from .budget.models import (  # noqa: F401
    Ballot,
    BallotEntry,
    BudgetRound,
    Milestone,
    Proposal,
    Support,
    VoteCode,
)
from .dialogues.models import (  # noqa: F401
    DialogueEvent,
    EventTopic,
    Hint,
    Registration,
    YearPlanPaper,
)
from .neighbourhood.models import NeighbourhoodSubscription  # noqa: F401
from .reports.models import (  # noqa: F401
    AreaAlert,
    CategoryAttribute,
    Open311Client,
    Report,
    ReportCategory,
    ReportPhoto,
    ReportUpdate,
    RoutingRule,
    StreetAddress,
)
from .trees.models import (  # noqa: F401
    Adoption,
    Rainfall,
    StreetGroupMember,
    Tree,
    Watering,
    WaterPump,
)
