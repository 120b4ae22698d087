//! Function words that carry no topic, in English, Ukrainian and Russian (folded).

use std::collections::HashSet;
use std::sync::LazyLock;

const ENGLISH: &str = "a about above after again against all also am an and any are aren as at be because been \
before being below between both but by can could did do does doing down during each few for from further had has \
have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself \
no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that \
the their theirs them themselves then there these they this those through to too under until up very was we were \
what when where which while who whom why will with would you your yours yourself yourselves said says say told \
new one two also like may might must shall us s t don didn doesn isn wasn weren won wouldn ve ll re d m o y";

const UKRAINIAN: &str = "і й та а але в у на з із зі до від за по про для як що це цей ця ці той та те ті він вона \
воно вони ми ви я ти не ні так же ж би б чи або його її їх їм нам вам був була було були є бути мати щоб коли де \
який яка яке які також ще вже тому через після перед під над між при без";

const RUSSIAN: &str = "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее \
мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь \
опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без \
будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой \
тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через \
эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя \
такой им более всегда конечно всю между это также";

static STOPWORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    [ENGLISH, UKRAINIAN, RUSSIAN]
        .iter()
        .flat_map(|list| list.split_whitespace())
        .map(super::fold)
        .collect()
});

/// Whether a folded word is a stop word.
pub fn is_stopword(folded: &str) -> bool {
    STOPWORDS.contains(folded)
}
