"""The workflow's models: the procedure page editors build, the dossiers
that go through its stages, and the attestation a confirmation makes."""

from .attestations import Attestation, AttestationSettings
from .dossiers import Dossier, DossierEvent, DossierExport, DossierProcess
from .procedures import ProcedurePage

__all__ = [
    "Attestation", "AttestationSettings", "Dossier", "DossierEvent", "DossierExport", "DossierProcess",
    "ProcedurePage",
]
