/// Both ends of a link, to find links written twice.
struct FlowLinkKey: Hashable {
    var from: LinkEndpoint
    var to: LinkEndpoint
}
