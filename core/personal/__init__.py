"""Personal data (SECURITY.md; issue 6 item 5): identity numbers, phones and addresses.

``idnumber``  GB 11643 validation, birth date, sex, age on a day (民法典 counting), phone and address checks
``crypto``    SM4-GCM sealing and HMAC-SM3 lookup hashes, keys from the environment
``fields``    model fields storing those values encrypted, and their keyed-hash lookup columns
``models``    ``PersonalRecord``: the abstract base of every record about a person (public UUID, hashes, masks)
``masking``   masked representations for pages, API answers and exports
``access``    ``unmask`` and ``export_clear``: clear values for a stated reason, audited with the subject
``api``       DRF fields and the viewset mixin with the ``unmask`` action
``views``     the unmask page
``exports``   Excel (every text cell a string) and PDF helpers

Kept free of imports here: ``core.scoping`` imports ``core.personal.idnumber``.
"""
