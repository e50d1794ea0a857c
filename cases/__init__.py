"""The claims catalogue, the report and the command line of rankstrat."""

from cases.claim import Claim, ClaimResult, Measurement, compare, run_claim

__all__ = ["Claim", "ClaimResult", "Measurement", "compare", "run_claim"]
