"""Reports (issue 11, reports half): the reporting calendar from policy, monthly briefs with township review and
bureau acceptance, the other periodic reports as obligations, and completeness and timeliness."""
