"""The workflow's models: the procedure page editors build and the groups
that review its dossiers, the dossiers that go through its stages, and the
attestation a confirmation makes."""

from .attestations import Attestation, AttestationSettings
from .dossiers import Dossier, DossierCount, DossierEvent, DossierExport, DossierOpinion, DossierProcess, DossierReviewer
from .procedures import ProcedureMessage, ProcedurePage
from .reviewers import ReviewerGroup

__all__ = [
    "Attestation", "AttestationSettings", "Dossier", "DossierCount", "DossierEvent", "DossierExport", "DossierProcess",
    "DossierOpinion", "DossierReviewer", "ProcedureMessage", "ProcedurePage", "ReviewerGroup",
]
