# Models arrive with their issues (DOMAIN §4, §6, §7).
