enum _PlaceholderSwitchboardCore {}
