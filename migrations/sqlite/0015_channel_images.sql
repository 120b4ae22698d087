-- Whether a channel's briefings show each story's lead image: 'on' (also when unset) or 'off'.
ALTER TABLE channel_settings ADD COLUMN images TEXT;
