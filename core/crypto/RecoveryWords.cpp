#include "crypto/RecoveryWords.h"

namespace hchat::crypto {

// 256 short, common, distinct English words of four letters: one per byte of a recovery key.
// Never reorder or change them: a key written down with this list must read back the same.
const std::array<const char *, 256> &recoveryWords()
{
    static const std::array<const char *, 256> words = {
        "able", "also", "area", "army", "away", "baby", "back", "ball", "band", "bank", "base", "bath",
        "bear", "beat", "bell", "belt", "best", "bird", "blow", "blue", "boat", "body", "bone", "book",
        "boot", "born", "boss", "both", "bowl", "burn", "bush", "busy", "cake", "call", "calm", "came",
        "camp", "card", "care", "case", "cash", "cell", "chat", "chip", "city", "clay", "club", "coal",
        "coat", "code", "cold", "come", "cook", "cool", "copy", "corn", "cost", "crew", "crop", "dark",
        "data", "date", "dawn", "deal", "dear", "deck", "deep", "desk", "dish", "dock", "door", "down",
        "draw", "drop", "drum", "duck", "dust", "duty", "earn", "east", "easy", "edge", "else", "even",
        "ever", "face", "fact", "fair", "fall", "farm", "fast", "fear", "feed", "feel", "file", "fill",
        "film", "find", "fine", "fire", "firm", "fish", "five", "flag", "flat", "flow", "fold", "food",
        "foot", "form", "four", "free", "frog", "full", "fund", "gain", "game", "gate", "gift", "girl",
        "give", "glad", "glow", "goal", "gold", "golf", "good", "grow", "hair", "half", "hall", "hand",
        "hard", "head", "heat", "help", "hero", "hill", "hold", "hole", "home", "hope", "host", "hour",
        "huge", "idea", "inch", "iron", "item", "join", "joke", "jump", "keep", "kick", "kind", "king",
        "knee", "lake", "lamp", "land", "last", "lawn", "lead", "leaf", "left", "life", "lift", "like",
        "line", "link", "lion", "list", "live", "load", "lock", "long", "love", "luck", "made", "mail",
        "main", "make", "meal", "meat", "menu", "milk", "mind", "mint", "miss", "moon", "more", "move",
        "much", "nail", "name", "neck", "need", "nest", "news", "nice", "nine", "nose", "note", "oven",
        "pack", "page", "pair", "palm", "park", "path", "peak", "pick", "pine", "pink", "pipe", "plan",
        "play", "plot", "plug", "poem", "pole", "pond", "pool", "port", "post", "pull", "pure", "push",
        "race", "rail", "rain", "read", "real", "rest", "rice", "rich", "ride", "ring", "rise", "road",
        "rock", "roof", "room", "rope", "rose", "rule", "safe", "sail", "salt", "sand", "save", "seat",
        "seed", "ship", "shoe", "shop",
    };
    return words;
}

} // namespace hchat::crypto
