-- The lookup service's answer: the event it was sent, with the owner and tier of its host.
return {
  api = 1,
  name = "owners",
  defaults = {
    owners = {
      ["web-1"] = { team = "storefront", tier = 1 },
      ["db-1"] = { team = "platform", tier = 0 },
    },
  },

  on_event = function(ctx, event, meta)
    local owner = ctx.config.owners[event.host] or { team = "unknown", tier = 3 }
    event.owner = owner.team
    event.tier = owner.tier
    return event
  end,
}
