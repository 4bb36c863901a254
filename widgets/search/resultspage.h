#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace tracemap {

class TraceListView;

/// The Search Results tab: the trace list and, above it, a note whenever the list is not what the search form
/// describes (the traces of the files just opened, of a call picked on the map, of a trace id lookup), with a
/// button that goes back to the form's search. So the results always say what they are.
class ResultsPage : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPage(QWidget* parent = nullptr);

    TraceListView* list() const { return m_list; }
    /// What the list shows when the form does not describe it; an empty text hides the note.
    void setNote(const QString& text);
    QString note() const;
    bool isNoteShown() const;
    /// Results from a back end: the note says where from, and "Fetch all" imports every one into the cache.
    void setRemote(bool remote);

Q_SIGNALS:
    void fetchAllRequested();
    /// "Search with the form" was clicked.
    void formSearchRequested();

private:
    TraceListView* m_list;
    QWidget* m_noteBar;
    QLabel* m_note;
    QToolButton* m_back;
    QToolButton* m_fetchAll;
};

} // namespace tracemap
