"""One module per topic; each defines ``CLAIMS``, a list of :class:`cases.claim.Claim`."""
