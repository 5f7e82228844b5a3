"""The report of concern to the child welfare service (bekymringsmelding,
barnevernsloven § 13-2): written from a worry or a relay, approved by the
leader, sent as KS Fiks "offentlig bekymringsmelding v2" with a PDF/A."""
