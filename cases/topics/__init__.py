"""One module per topic; each defines ``CLAIMS``, a list of :class:`rankstrat.cases.claim.Claim`."""
