"""A child's full record on request (innsyn): forvaltningsloven § 18, GDPR art. 15.

See docs/full-record.md for who may produce it, how far their sight reaches,
what is withheld from whom and why, and how it reaches the requester.
"""
