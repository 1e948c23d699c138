"""The sustainability workshop: a customer's yearly report (GHG Protocol scopes, ESRS E5 resource flows,
packaging) and the what-if planner of refresh policies, with scenarios a customer saves and applies."""
