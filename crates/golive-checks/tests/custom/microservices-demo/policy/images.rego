package main

import rego.v1

# Images without a tag are substituted at build time (skaffold); a tag must be a version.
deny contains {"msg": msg, "path": ["spec", "template", "spec", kind, i, "image"]} if {
	some kind in ["initContainers", "containers"]
	some i, container in input.spec.template.spec[kind]
	parts := split(container.image, ":")
	count(parts) > 1
	tag := parts[1]
	not regex.match(`^v?[0-9]`, tag)
	msg := sprintf("container %s uses the mutable tag %s", [container.name, tag])
}

deny contains msg if {
	some container in input.spec.template.spec.containers
	not container.resources.limits.memory
	msg := sprintf("container %s of %s has no memory limit", [container.name, input.metadata.name])
}
