"""The user's own account page (我的账号): their password, every role alike."""
