"""The records that leave Stafett for the municipality's archive: the case
as Noark 5 sees it (case.py), the arkivmelding, the archive settings, the
Noark 5 extract."""
