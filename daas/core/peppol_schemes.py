"""The identifier schemes Peppol BIS Billing 3.0 accepts, as its code lists define them.

- EAS, the Electronic Address Schemes of electronic addresses (BT-34 seller, BT-49 buyer; the
  `schemeID` of `cbc:EndpointID`, checked by rule PEPPOL-EN16931-CL008).
- ICD, the ISO 6523 International Code Designators of legal registration ids (BT-30, BT-47).

Version: the code lists of Peppol BIS Billing 3.0.21 (code list publication 2026-03-06, mandatory from
2026-08-24), which 3.0.22 (November 2026, mandatory from 2027-02-24) keeps unchanged. 3.0.21 corrected EAS,
which had pointed at the wrong list: it removed 0037, 0147, 0154, 0170, 0177, 0193, 0194, 0202, 0203, 0205,
0212, 0213, 0215 and 0217, and added 0242, 0246 and 0248; the UN/ECE 3155 codes (AN, AQ, AS, AU, EM) and
9901 are not in the Peppol list either. ICD gained 0246, 0247 and 0248. Source: the release notes
(guide/release-notes/v3.0.21.adoc, v3.0.22.adoc) and the `eaid` list of rules/sch/PEPPOL-EN16931-UBL.sch
in github.com/OpenPEPPOL/peppol-bis-invoice-3; the published list is docs.peppol.eu/poacc/billing/3.0/codelist/.
When a new release changes a list, change it here and name the release above.
"""

from __future__ import annotations

EAS_SCHEMES = frozenset(
    """
    0002 0007 0009 0060 0088 0096 0097 0106 0130 0135 0142 0151 0158 0183 0184 0188
    0190 0191 0192 0195 0196 0198 0199 0200 0201 0204 0208 0209 0210 0211 0216 0218
    0221 0225 0230 0235 0240 0242 0244 0245 0246 0248
    9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930
    9931 9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946
    9947 9948 9949 9950 9951 9952 9953 9957 9959
    """.split()
)

# ISO 6523 ICD as the Peppol list has it: every designator from 0002 to 0248 but four never assigned.
_ICD_UNASSIGNED = {92, 103, 181, 182}
ICD_SCHEMES = frozenset(f"{code:04d}" for code in range(2, 249) if code not in _ICD_UNASSIGNED)
