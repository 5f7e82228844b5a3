import unicodedata

from stafett.lib.names import name_key


def test_case_spaces_and_dashes_do_not_make_another_child():
    assert name_key("  Anne-Marie   ØSTBY ") == name_key("anne marie østby")
    assert name_key("Anne–Marie Østby") == name_key("Anne Marie Østby")  # an en dash
    composed = "Åse Ås"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed and name_key(composed) == name_key(decomposed)


def test_letters_word_order_and_spelling_are_kept():
    assert name_key("Øystein") != name_key("Oystein")
    assert name_key("Åse") != name_key("Ase")
    assert name_key("Ella Strandvik") != name_key("Strandvik Ella")
    assert name_key("Ella Strandvik") != name_key("Ela Strandvik")
