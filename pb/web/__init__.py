"""Web layer: one blueprint per area. Views stay thin and call pb.services."""
