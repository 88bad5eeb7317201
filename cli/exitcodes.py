"""Exit codes scripts can trust (the conventions of Terraform and Pulumi)."""

OK = 0
FAILURE = 1  # runtime failure: a backend error, a crash, a failed host
INVALID_INPUT = 2  # a file or an option is wrong: nothing was touched
POLICY_DENIED = 3  # a policy rule refused the tenant: nothing was touched
CHANGES_PRESENT = 4  # with --detailed-exitcode: the plan or drift found changes
