package main

warn[res] {
	input.kind == "Service"
	type := input.spec.type
	not allowed_type(type)
	res := {
		"msg": sprintf("Service %s is of type %s, which needs a network review", [input.metadata.name, type]),
		"path": "spec.type",
	}
}

allowed_type(type) {
	data.allowed_service_types[_] == type
}
